// unixgram:///PATH: a unix datagram socket, Docker's usual syslog address; one datagram is one message.
import { ERRNO } from '../libc.ts';
import { UnixDatagramSocket } from '../unix-datagram.ts';
import type { Listener, MessageSink, Origin } from './listener.ts';

/** Room for bursts while the event loop is busy elsewhere (the kernel queue holds only max_dgram_qlen datagrams, but their bytes count here). */
const RECEIVE_BUFFER_BYTES = 8 * 1024 * 1024;
/** Datagrams read per wake-up before yielding to other events (the poll is level-triggered: it comes back). */
const MAX_PER_WAKE = 1024;

export class UnixgramListener implements Listener {
  readonly url: string;
  readonly #path: string;
  readonly #mode: number;
  readonly #sink: MessageSink;
  readonly #origin: Origin;
  readonly #buf: Buffer;
  #socket: UnixDatagramSocket | undefined;

  constructor(url: string, path: string, mode: number, maxDatagram: number, sink: MessageSink) {
    this.url = url;
    this.#path = path;
    this.#mode = mode;
    this.#sink = sink;
    this.#origin = { listener: url, datagram: true };
    this.#buf = Buffer.allocUnsafe(maxDatagram);
  }

  get listening(): boolean {
    return this.#socket !== undefined && !this.#socket.closed;
  }

  async start(): Promise<void> {
    const socket = UnixDatagramSocket.bind(this.#path, this.#mode);
    socket.raiseBuffer('receive', RECEIVE_BUFFER_BYTES);
    this.#socket = socket;
    socket.watch({ readable: true }, () => this.#drain(socket));
  }

  #drain(socket: UnixDatagramSocket): void {
    const buf = this.#buf;
    for (let i = 0; i < MAX_PER_WAKE && !socket.closed; i++) {
      let n = socket.receive(buf);
      if (n < 0) {
        if (-n === ERRNO.EINTR) continue;
        return; // EAGAIN: nothing more queued
      }
      if (n > buf.length) {
        this.#sink.truncated?.(this.#origin, n);
        n = buf.length;
      }
      this.#sink.receive(buf.subarray(0, n), this.#origin, 0);
    }
  }

  pause(): void {}

  resume(): void {}

  async close(): Promise<void> {
    if (this.#socket) this.#drain(this.#socket);
    this.#socket?.close();
  }
}
