// JournaldWriter: journal entries to journald's native socket, one datagram each, never blocking the event loop.
//
// journald's socket queue is short (net.unix.max_dgram_qlen: 512 with systemd's sysctl defaults, 10 on a bare
// kernel), so EAGAIN is the normal sign that journald is busy, not an error: the entry waits in a bounded
// queue and the writer asks libuv to say when the socket is writable again. The queue's bound is what the
// proxy turns into backpressure: above it, stream listeners stop reading and datagram listeners drop.
// Large entries go as a sealed memfd passed with SCM_RIGHTS, as sd_journal_sendv() does when a datagram is
// refused (EMSGSIZE, ENOBUFS); entries above MEMFD_THRESHOLD always do, so the path an entry takes does not
// depend on the host's net.core.wmem_max or on running as root.
// If journald goes away (restart: ECONNREFUSED), the writer reconnects with backoff and keeps its queue.
import { ERRNO, errnoName } from './libc.ts';
import { SocketError, UnixDatagramSocket } from './unix-datagram.ts';

/** sd_journal's SNDBUF_SIZE: room for many entries in flight before journald reads them. */
const SEND_BUFFER_BYTES = 8 * 1024 * 1024;
/** Entries larger than this go as a memfd; Docker's lines are at most 16 KiB, so this is for other senders. */
export const MEMFD_THRESHOLD = 128 * 1024;
const RECONNECT_MIN_MS = 100;
const RECONNECT_MAX_MS = 5000;

export interface JournaldWriterCounters {
  /** An entry went as a memfd. */
  memfd(): void;
  /** An entry could not be written and is lost (its errno name), or the connection failed (`ECONNREFUSED`...). */
  failure(reason: string, lost: number): void;
  connection(state: 'lost' | 'restored', reason: string): void;
}

export interface JournaldWriterOptions {
  /** Bytes the queue may hold before write(…, mayDrop = true) refuses and `full` is true. */
  bufferBytes: number;
  counters?: JournaldWriterCounters;
}

const SENT = 0;
const WAIT = 1;
const LOST = 2;

export class JournaldWriter {
  readonly path: string;
  readonly #limit: number;
  readonly #counters: JournaldWriterCounters | undefined;
  #socket: UnixDatagramSocket | undefined;
  #queue: Buffer[] = [];
  #head = 0;
  #queuedBytes = 0;
  /** Waiting for the socket to become writable, or for a reconnect. */
  #waiting = false;
  #reconnectTimer: NodeJS.Timeout | undefined;
  #reconnectDelay = RECONNECT_MIN_MS;
  #disconnectedAt = 0;
  #lastError = '';
  #wasFull = false;
  #closed = false;
  readonly #drainListeners: Array<() => void> = [];
  readonly #idleWaiters: Array<() => void> = [];
  /** Entries handed to journald (each datagram or memfd the kernel accepted). */
  written = 0;

  private constructor(path: string, socket: UnixDatagramSocket, options: JournaldWriterOptions) {
    this.path = path;
    this.#socket = socket;
    this.#limit = options.bufferBytes;
    this.#counters = options.counters;
  }

  /** Connects to journald's socket at `path`; throws a SocketError naming the path when it cannot. */
  static open(path: string, options: JournaldWriterOptions): JournaldWriter {
    return new JournaldWriter(path, JournaldWriter.#connect(path), options);
  }

  static #connect(path: string): UnixDatagramSocket {
    const socket = UnixDatagramSocket.connect(path);
    socket.raiseBuffer('send', SEND_BUFFER_BYTES);
    return socket;
  }

  /** Bytes waiting for journald. */
  get queuedBytes(): number {
    return this.#queuedBytes;
  }

  get queuedEntries(): number {
    return this.#queue.length - this.#head;
  }

  /** At or above the buffer bound: stream listeners should stop reading. */
  get full(): boolean {
    return this.#queuedBytes >= this.#limit;
  }

  /** Whether the socket is connected; when not, since when (ms) and why. */
  get connection(): { connected: boolean; since: number; reason: string } {
    return { connected: this.#socket !== undefined, since: this.#disconnectedAt, reason: this.#lastError };
  }

  /** Called each time the queue falls back to half the bound after being full. */
  onDrain(listener: () => void): void {
    this.#drainListeners.push(listener);
  }

  /**
   * Writes one encoded entry, now or once journald has room. false only when `mayDrop` and the queue is at
   * its bound: the caller counts the entry as dropped. Entries are written in the order given.
   */
  write(entry: Buffer, mayDrop: boolean): boolean {
    if (this.#closed) return false;
    if (this.#head === this.#queue.length && !this.#waiting) {
      const result = this.#send(entry);
      if (result !== WAIT) return true;
    } else if (mayDrop && this.#queuedBytes + entry.length > this.#limit) {
      // So that onDrain listeners hear when there is room again (and say what was dropped).
      this.#wasFull = true;
      return false;
    }
    this.#queue.push(entry);
    this.#queuedBytes += entry.length;
    if (this.#queuedBytes >= this.#limit) this.#wasFull = true;
    return true;
  }

  /** Resolves true once everything queued is written, false if `deadlineMs` (wall clock) passes first. */
  idle(deadlineMs: number): Promise<boolean> {
    if (this.queuedEntries === 0) return Promise.resolve(true);
    return new Promise((resolve) => {
      const timer = setTimeout(() => resolve(false), Math.max(0, deadlineMs - Date.now()));
      this.#idleWaiters.push(() => {
        clearTimeout(timer);
        resolve(true);
      });
    });
  }

  close(): void {
    if (this.#closed) return;
    this.#closed = true;
    clearTimeout(this.#reconnectTimer);
    this.#socket?.close();
    this.#socket = undefined;
    const lost = this.queuedEntries;
    if (lost > 0) this.#counters?.failure('closed with entries queued', lost);
    this.#queue = [];
    this.#head = 0;
    this.#queuedBytes = 0;
  }

  /** SENT, WAIT (journald busy or away: keep the entry) or LOST (refused for good: counted). */
  #send(entry: Buffer): number {
    const socket = this.#socket;
    if (socket === undefined) return WAIT;
    let errno = entry.length > MEMFD_THRESHOLD ? ERRNO.EMSGSIZE : socket.send(entry);
    if (errno === ERRNO.EMSGSIZE || errno === ERRNO.ENOBUFS) {
      errno = socket.sendAsMemfd(entry);
      if (errno === 0) this.#counters?.memfd();
    }
    if (errno === 0) {
      this.written++;
      return SENT;
    }
    if (errno === ERRNO.EAGAIN || errno === ERRNO.EINTR) {
      this.#waitWritable(socket);
      return WAIT;
    }
    if (errno === ERRNO.ECONNREFUSED || errno === ERRNO.ENOENT || errnoName(errno) === 'ENOTCONN') {
      this.#lost(errnoName(errno));
      return WAIT;
    }
    this.#counters?.failure(errnoName(errno), 1);
    return LOST;
  }

  #waitWritable(socket: UnixDatagramSocket): void {
    if (this.#waiting) return;
    this.#waiting = true;
    socket.watch({ writable: true }, () => {
      socket.unwatch();
      this.#waiting = false;
      this.#flush();
    });
  }

  #flush(): void {
    while (this.#head < this.#queue.length && !this.#waiting) {
      const entry = this.#queue[this.#head]!;
      const result = this.#send(entry);
      if (result === WAIT) break;
      this.#queue[this.#head] = undefined as unknown as Buffer;
      this.#head++;
      this.#queuedBytes -= entry.length;
    }
    if (this.#head === this.#queue.length) {
      this.#queue = [];
      this.#head = 0;
    } else if (this.#head > 1024 && this.#head * 2 > this.#queue.length) {
      this.#queue = this.#queue.slice(this.#head);
      this.#head = 0;
    }
    if (this.#wasFull && this.#queuedBytes <= this.#limit / 2) {
      this.#wasFull = false;
      for (const listener of this.#drainListeners) listener();
    }
    if (this.queuedEntries === 0) for (const waiter of this.#idleWaiters.splice(0)) waiter();
  }

  /** journald went away: drop the socket and reconnect with backoff; entries wait in the queue. */
  #lost(reason: string): void {
    this.#socket?.close();
    this.#socket = undefined;
    this.#waiting = true;
    this.#disconnectedAt = Date.now();
    this.#lastError = reason;
    this.#counters?.connection('lost', reason);
    this.#scheduleReconnect();
  }

  #scheduleReconnect(): void {
    this.#reconnectTimer = setTimeout(() => {
      if (this.#closed) return;
      try {
        this.#socket = JournaldWriter.#connect(this.path);
      } catch (error) {
        this.#lastError = error instanceof SocketError ? error.code : (error as Error).message;
        this.#reconnectDelay = Math.min(RECONNECT_MAX_MS, this.#reconnectDelay * 2);
        this.#scheduleReconnect();
        return;
      }
      this.#reconnectDelay = RECONNECT_MIN_MS;
      this.#waiting = false;
      this.#disconnectedAt = 0;
      this.#counters?.connection('restored', this.#lastError);
      this.#lastError = '';
      this.#flush();
    }, this.#reconnectDelay);
  }
}
