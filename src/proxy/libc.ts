// The few libc calls the proxy needs that Node.js lacks (unix datagram sockets, memfd, SCM_RIGHTS), through koffi.
//
// Node has no AF_UNIX SOCK_DGRAM sockets: Docker's usual syslog address (`unixgram://`) and journald's native
// socket are both datagram sockets, so the proxy opens them itself. Every socket is non-blocking; waiting is
// done by libuv (koffi.node.poll), so the event loop never blocks in a system call.
// The numbers below are Linux's (the same on x86-64 and arm64, the platforms koffi ships prebuilt binaries for).
import koffi from 'koffi';

export const AF_UNIX = 1;
export const SOCK_DGRAM = 2;
export const SOCK_NONBLOCK = 0o4000;
export const SOCK_CLOEXEC = 0o2000000;
export const SOL_SOCKET = 1;
export const SO_SNDBUF = 7;
export const SO_RCVBUF = 8;
/** As root: set the buffer past net.core.{w,r}mem_max, as sd_journal's fd_inc_sndbuf() does. */
export const SO_SNDBUFFORCE = 32;
export const SO_RCVBUFFORCE = 33;
export const SCM_RIGHTS = 1;
export const MSG_TRUNC = 0x20;
export const MSG_DONTWAIT = 0x40;
export const MSG_NOSIGNAL = 0x4000;
export const MFD_CLOEXEC = 1;
export const MFD_ALLOW_SEALING = 2;
export const F_ADD_SEALS = 1033;
/** F_SEAL_SEAL | F_SEAL_SHRINK | F_SEAL_GROW | F_SEAL_WRITE: journald only maps a memfd sealed this way. */
export const ALL_SEALS = 0x1 | 0x2 | 0x4 | 0x8;

/** sockaddr_un.sun_path holds 108 bytes, the last one the terminating NUL. */
export const UNIX_PATH_MAX = 107;

const ERRNO_NAMES = new Map<number, string>(Object.entries(koffi.os.errno).map(([name, n]) => [n, name]));

/** `EAGAIN`, `ENOENT`...: the symbolic name of an errno value (`errno 123` when unknown). */
export function errnoName(errno: number): string {
  return ERRNO_NAMES.get(errno) ?? `errno ${errno}`;
}

export const ERRNO = {
  EINTR: koffi.os.errno.EINTR ?? 4,
  EAGAIN: koffi.os.errno.EAGAIN ?? 11,
  ENOENT: koffi.os.errno.ENOENT ?? 2,
  EMSGSIZE: koffi.os.errno.EMSGSIZE ?? 90,
  ENOBUFS: koffi.os.errno.ENOBUFS ?? 105,
  ECONNREFUSED: koffi.os.errno.ECONNREFUSED ?? 111,
} as const;

type IntFn = (...args: unknown[]) => number;

export interface Libc {
  socket: (domain: number, type: number, protocol: number) => number;
  bind: (fd: number, addr: Uint8Array, len: number) => number;
  connect: (fd: number, addr: Uint8Array, len: number) => number;
  send: (fd: number, buf: Uint8Array, len: number, flags: number) => number;
  recv: (fd: number, buf: Uint8Array, len: number, flags: number) => number;
  sendmsg: (fd: number, msg: MsgHdr, flags: number) => number;
  setsockopt: (fd: number, level: number, name: number, value: Uint8Array, len: number) => number;
  getsockopt: (fd: number, level: number, name: number, value: Uint8Array, len: number[]) => number;
  close: (fd: number) => number;
  write: (fd: number, buf: Uint8Array, len: number) => number;
  memfdCreate: (name: string, flags: number) => number;
  fcntlInt: (fd: number, cmd: number, arg: number) => number;
  errno: () => number;
}

export interface MsgHdr {
  msg_name: Uint8Array | null;
  msg_namelen: number;
  msg_iov: Uint8Array | null;
  msg_iovlen: number;
  msg_control: Uint8Array | null;
  msg_controllen: number;
  msg_flags: number;
}

let loaded: Libc | undefined;

/** Binds libc on first use, so that importing the proxy costs nothing where it does not run. */
export function libc(): Libc {
  if (loaded) return loaded;
  let lib: ReturnType<typeof koffi.load>;
  try {
    lib = koffi.load('libc.so.6');
  } catch (error) {
    throw new Error(`cannot load libc.so.6 through koffi (${(error as Error).message}); the proxy runs on Linux with glibc`, { cause: error });
  }
  // Registered by name for the sendmsg prototype below (libc() runs once: the result is cached).
  koffi.struct('jf_msghdr', {
    msg_name: 'void *',
    msg_namelen: 'uint32_t',
    msg_iov: 'void *',
    msg_iovlen: 'size_t',
    msg_control: 'void *',
    msg_controllen: 'size_t',
    msg_flags: 'int',
  });
  const fcntl = lib.func('int fcntl(int fd, int cmd, ...)');
  loaded = {
    socket: lib.func('int socket(int domain, int type, int protocol)') as IntFn,
    bind: lib.func('int bind(int fd, const void *addr, uint32_t len)') as IntFn,
    connect: lib.func('int connect(int fd, const void *addr, uint32_t len)') as IntFn,
    send: lib.func('intptr_t send(int fd, const void *buf, size_t len, int flags)') as IntFn,
    recv: lib.func('intptr_t recv(int fd, _Out_ void *buf, size_t len, int flags)') as IntFn,
    sendmsg: lib.func('intptr_t sendmsg(int fd, const jf_msghdr *msg, int flags)') as IntFn,
    setsockopt: lib.func('int setsockopt(int fd, int level, int name, const void *value, uint32_t len)') as IntFn,
    getsockopt: lib.func('int getsockopt(int fd, int level, int name, _Out_ void *value, _Inout_ uint32_t *len)') as IntFn,
    close: lib.func('int close(int fd)') as IntFn,
    write: lib.func('intptr_t write(int fd, const void *buf, size_t len)') as IntFn,
    memfdCreate: lib.func('int memfd_create(const char *name, unsigned int flags)') as IntFn,
    fcntlInt: (fd: number, cmd: number, arg: number) => fcntl(fd, cmd, 'int', arg) as number,
    errno: () => koffi.errno(),
  };
  return loaded;
}

/** struct sockaddr_un for `path`, and its length (family + path + NUL). */
export function unixAddress(path: string): { addr: Buffer; len: number } {
  const bytes = Buffer.from(path, 'utf8');
  if (bytes.length === 0 || bytes.length > UNIX_PATH_MAX) {
    throw new RangeError(`unix socket path ${JSON.stringify(path)} is ${bytes.length} bytes; it must be 1 to ${UNIX_PATH_MAX} (sockaddr_un.sun_path)`);
  }
  const addr = Buffer.alloc(2 + 108);
  addr.writeUInt16LE(AF_UNIX, 0);
  bytes.copy(addr, 2);
  return { addr, len: 2 + bytes.length + 1 };
}

/** One int socket option as a 4-byte buffer. */
export function intOption(value: number): Buffer {
  const b = Buffer.alloc(4);
  b.writeInt32LE(value);
  return b;
}

/** The cmsghdr that passes one file descriptor (SCM_RIGHTS): CMSG_SPACE(sizeof(int)) = 24 bytes on 64-bit Linux. */
export function rightsControl(fd: number): Buffer {
  const cmsg = Buffer.alloc(24);
  cmsg.writeBigUInt64LE(20n, 0); // cmsg_len = CMSG_LEN(sizeof(int))
  cmsg.writeInt32LE(SOL_SOCKET, 8);
  cmsg.writeInt32LE(SCM_RIGHTS, 12);
  cmsg.writeInt32LE(fd, 16);
  return cmsg;
}
