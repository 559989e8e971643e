// UnixDatagramSocket: a non-blocking AF_UNIX SOCK_DGRAM socket (koffi + libc), watched by libuv's poll.
//
// Used for both ends the proxy has that Node cannot open: the `unixgram://` listener (bound, read when libuv
// says readable) and journald's native socket (connected, written until EAGAIN, then waited on for
// writable). Measured here: a send and a receive of a small datagram through koffi take 3.8 us together, of
// which koffi's call overhead is about 0.3 us a call; the rest is the kernel's. So the socket is read on the
// main thread, with no thread hop and no copy between threads.
import { chmodSync, lstatSync, unlinkSync } from 'node:fs';
import koffi from 'koffi';
import {
  AF_UNIX,
  ALL_SEALS,
  ERRNO,
  errnoName,
  F_ADD_SEALS,
  intOption,
  libc,
  MFD_ALLOW_SEALING,
  MFD_CLOEXEC,
  MSG_DONTWAIT,
  MSG_NOSIGNAL,
  MSG_TRUNC,
  rightsControl,
  SOCK_CLOEXEC,
  SOCK_DGRAM,
  SOCK_NONBLOCK,
  SO_RCVBUF,
  SO_RCVBUFFORCE,
  SO_SNDBUF,
  SO_SNDBUFFORCE,
  SOL_SOCKET,
  unixAddress,
} from './libc.ts';

/** A failed system call: `code` is the errno name (`ENOENT`), as Node's own errors have. */
export class SocketError extends Error {
  override name = 'SocketError';
  readonly code: string;
  readonly errno: number;
  constructor(call: string, errno: number, path: string) {
    super(`${call}(${path}) failed: ${errnoName(errno)}`);
    this.code = errnoName(errno);
    this.errno = errno;
  }
}

type PollHandle = ReturnType<typeof koffi.node.poll>;

export interface BufferSizeResult {
  /** What the kernel reports after the change (Linux doubles the value asked for, for its bookkeeping). */
  bytes: number;
  forced: boolean;
}

export class UnixDatagramSocket {
  readonly fd: number;
  readonly path: string;
  #poll: PollHandle | undefined;
  #closed = false;
  /** Whether this socket created the file at `path` (bound), so close() removes it. */
  #ownsPath = false;

  private constructor(fd: number, path: string) {
    this.fd = fd;
    this.path = path;
  }

  static #open(path: string): UnixDatagramSocket {
    const c = libc();
    const fd = c.socket(AF_UNIX, SOCK_DGRAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
    if (fd < 0) throw new SocketError('socket', c.errno(), path);
    return new UnixDatagramSocket(fd, path);
  }

  /**
   * A socket bound at `path`, file mode `mode`. A stale socket file (left by a process that died) is replaced;
   * a live one (another process receives on it) or a file that is not a socket is an error.
   */
  static bind(path: string, mode: number): UnixDatagramSocket {
    const { addr, len } = unixAddress(path);
    removeStaleSocket(path);
    const socket = UnixDatagramSocket.#open(path);
    const c = libc();
    if (c.bind(socket.fd, addr, len) < 0) {
      const errno = c.errno();
      socket.close();
      throw new SocketError('bind', errno, path);
    }
    socket.#ownsPath = true;
    chmodSync(path, mode);
    return socket;
  }

  /** A socket connected to the datagram socket at `path` (journald's). */
  static connect(path: string): UnixDatagramSocket {
    const { addr, len } = unixAddress(path);
    const socket = UnixDatagramSocket.#open(path);
    const c = libc();
    if (c.connect(socket.fd, addr, len) < 0) {
      const errno = c.errno();
      socket.close();
      throw new SocketError('connect', errno, path);
    }
    return socket;
  }

  /**
   * Raises SO_SNDBUF or SO_RCVBUF to `bytes`, past the sysctl maximum when allowed (root), as sd_journal's
   * fd_inc_sndbuf() does; never lowers it.
   */
  raiseBuffer(option: 'send' | 'receive', bytes: number): BufferSizeResult {
    const c = libc();
    const [name, force] = option === 'send' ? [SO_SNDBUF, SO_SNDBUFFORCE] : [SO_RCVBUF, SO_RCVBUFFORCE];
    const current = this.#intOption(name);
    if (current >= bytes) return { bytes: current, forced: false };
    c.setsockopt(this.fd, SOL_SOCKET, name, intOption(bytes), 4);
    if (this.#intOption(name) >= bytes) return { bytes: this.#intOption(name), forced: false };
    const forced = c.setsockopt(this.fd, SOL_SOCKET, force, intOption(bytes), 4) === 0;
    return { bytes: this.#intOption(name), forced };
  }

  #intOption(name: number): number {
    const value = Buffer.alloc(4);
    libc().getsockopt(this.fd, SOL_SOCKET, name, value, [4]);
    return value.readInt32LE(0);
  }

  /** Sends one datagram without waiting: 0 when sent, else the errno (EAGAIN: the receiver's queue is full). */
  send(data: Uint8Array): number {
    const c = libc();
    const n = c.send(this.fd, data, data.length, MSG_DONTWAIT | MSG_NOSIGNAL);
    return n >= 0 ? 0 : c.errno();
  }

  /**
   * Sends `data` as a sealed memfd passed with SCM_RIGHTS and no payload, as sd_journal_sendv() does for an
   * entry too large for one datagram. 0 when sent, else the errno; the memfd is closed either way (the
   * receiver holds its own reference once sent).
   */
  sendAsMemfd(data: Uint8Array): number {
    const c = libc();
    const memfd = c.memfdCreate('journal-fanout', MFD_CLOEXEC | MFD_ALLOW_SEALING);
    if (memfd < 0) return c.errno();
    try {
      let off = 0;
      while (off < data.length) {
        const n = c.write(memfd, data.subarray(off), data.length - off);
        if (n < 0) {
          const errno = c.errno();
          if (errno === ERRNO.EINTR) continue;
          return errno;
        }
        off += n;
      }
      if (c.fcntlInt(memfd, F_ADD_SEALS, ALL_SEALS) < 0) return c.errno();
      const control = rightsControl(memfd);
      const sent = c.sendmsg(
        this.fd,
        { msg_name: null, msg_namelen: 0, msg_iov: null, msg_iovlen: 0, msg_control: control, msg_controllen: control.length, msg_flags: 0 },
        MSG_DONTWAIT | MSG_NOSIGNAL,
      );
      return sent >= 0 ? 0 : c.errno();
    } finally {
      c.close(memfd);
    }
  }

  /**
   * Receives one datagram into `buf` without waiting: its full length (larger than `buf` when it was
   * truncated), or -errno (-EAGAIN: nothing queued).
   */
  receive(buf: Uint8Array): number {
    const c = libc();
    const n = c.recv(this.fd, buf, buf.length, MSG_DONTWAIT | MSG_TRUNC);
    return n >= 0 ? n : -c.errno();
  }

  /** Calls `onReady` whenever the socket is readable (or writable), until unwatch() or close(). */
  watch(events: { readable?: boolean; writable?: boolean }, onReady: () => void): void {
    if (this.#closed) return;
    if (this.#poll === undefined) this.#poll = koffi.node.poll(this.fd, events, () => onReady());
    else this.#poll.start(events, () => onReady());
  }

  unwatch(): void {
    this.#poll?.stop();
  }

  /** Resolves when the socket can be written (the receiver's queue has room). */
  writable(): Promise<void> {
    return new Promise((resolve) => {
      this.watch({ writable: true }, () => {
        this.unwatch();
        resolve();
      });
    });
  }

  /** Keeps the process alive while watched (default) or not. */
  ref(keep: boolean): void {
    if (keep) this.#poll?.ref();
    else this.#poll?.unref();
  }

  get closed(): boolean {
    return this.#closed;
  }

  close(): void {
    if (this.#closed) return;
    this.#closed = true;
    this.#poll?.close();
    this.#poll = undefined;
    libc().close(this.fd);
    if (this.#ownsPath) {
      try {
        unlinkSync(this.path);
      } catch {
        // already removed
      }
    }
  }
}

/** Removes a socket file nobody receives on; refuses a live socket or a file of another kind. */
function removeStaleSocket(path: string): void {
  let stat;
  try {
    stat = lstatSync(path);
  } catch {
    return;
  }
  if (!stat.isSocket()) throw new SocketError('bind', koffi.os.errno.EEXIST ?? 17, `${path}: exists and is not a socket`);
  let probe: UnixDatagramSocket | undefined;
  try {
    probe = UnixDatagramSocket.connect(path);
  } catch {
    unlinkSync(path);
    return;
  } finally {
    probe?.close();
  }
  throw new SocketError('bind', koffi.os.errno.EADDRINUSE ?? 98, `${path}: another process receives on this socket`);
}
