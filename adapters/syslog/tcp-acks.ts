// How many bytes of a TCP connection the server's kernel has acknowledged, read from Linux (TCP_INFO, SIOCOUTQ) through koffi.
//
// Why: a socket.write callback only says the bytes reached our kernel. Bytes written just after the server
// closed (a restart) are accepted by our kernel too, then dropped when the server answers with a reset: a
// shipper that counts them as delivered loses them. A server that closed never acknowledges them, so waiting
// for the TCP acknowledgement closes that hole. Node.js exposes neither counter, hence the two libc calls.
import type { Socket } from 'node:net';

/** linux/tcp.h: TCP_INFO (getsockopt at IPPROTO_TCP); tcpi_bytes_acked (Linux 4.1+) is the u64 at byte 120. */
const IPPROTO_TCP = 6;
const TCP_INFO = 11;
const BYTES_ACKED_OFFSET = 120;
const TCP_INFO_BYTES = 256;
/** linux/sockios.h: SIOCOUTQ (= TIOCOUTQ), bytes in the send queue not yet acknowledged. */
const SIOCOUTQ = 0x5411;

interface Libc {
  getsockopt(fd: number, level: number, name: number, value: Buffer, length: number[]): number;
  ioctl(fd: number, request: number, value: number[]): number;
}

let libc: Libc | null | undefined;
let loadError = '';

async function loadLibc(): Promise<Libc | null> {
  if (libc !== undefined) return libc;
  try {
    const koffi = (await import('koffi')).default;
    const lib = koffi.load('libc.so.6');
    libc = {
      getsockopt: lib.func('int getsockopt(int fd, int level, int name, _Out_ uint8_t *value, _Inout_ uint32_t *length)'),
      ioctl: lib.func('int ioctl(int fd, unsigned long request, _Out_ int *value)'),
    } as Libc;
  } catch (error) {
    loadError = (error as Error).message;
    libc = null;
  }
  return libc;
}

/** Byte counts of one connection, both in the same space (the SYN counts one). */
export interface TcpAcks {
  /** Bytes the server's kernel has acknowledged. */
  acked(): number;
  /** Bytes handed to our kernel so far: acknowledged + still queued. */
  handed(): number;
}

/**
 * The counters of a connected socket (TCP, or TLS over TCP), or a reason why they cannot be read (not Linux,
 * a kernel before 4.1, libc not loadable); the caller then falls back to the write callback.
 */
export async function tcpAcks(socket: Socket): Promise<TcpAcks | string> {
  const c = await loadLibc();
  if (!c) return `koffi could not load libc (${loadError})`;
  // A connected socket's libuv handle holds its file descriptor (TLSWrap passes it through).
  const fd = (socket as unknown as { _handle?: { fd?: unknown } })._handle?.fd;
  if (typeof fd !== 'number' || fd < 0) return 'the socket has no file descriptor';
  const info = Buffer.alloc(TCP_INFO_BYTES);
  const length = [TCP_INFO_BYTES];
  const queued = [0];
  const acked = (): number => {
    length[0] = TCP_INFO_BYTES;
    if (c.getsockopt(fd, IPPROTO_TCP, TCP_INFO, info, length) !== 0) return -1;
    return Number(info.readBigUInt64LE(BYTES_ACKED_OFFSET));
  };
  if (acked() < 0 || length[0]! < BYTES_ACKED_OFFSET + 8) return 'the kernel does not report tcpi_bytes_acked (Linux 4.1 or later needed)';
  return {
    acked,
    handed() {
      const a = acked();
      if (a < 0 || c.ioctl(fd, SIOCOUTQ, queued) !== 0) return Number.MAX_SAFE_INTEGER;
      return a + queued[0]!;
    },
  };
}
