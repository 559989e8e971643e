// udp://HOST:PORT: one datagram is one message; no way to push back, so what journald cannot take is dropped.
import dgram from 'node:dgram';
import { isIP } from 'node:net';
import type { Listener, MessageSink, Origin } from './listener.ts';

/** Asked of the kernel (capped by net.core.rmem_max): room for bursts while the event loop is busy. */
const RECEIVE_BUFFER_BYTES = 8 * 1024 * 1024;

export class UdpListener implements Listener {
  readonly url: string;
  readonly #host: string;
  readonly #port: number;
  readonly #sink: MessageSink;
  readonly #origin: Origin;
  #socket: dgram.Socket | undefined;
  #listening = false;

  constructor(url: string, host: string, port: number, sink: MessageSink) {
    this.url = url;
    this.#host = host;
    this.#port = port;
    this.#sink = sink;
    this.#origin = { listener: url, datagram: true };
  }

  get listening(): boolean {
    return this.#listening;
  }

  get port(): number | undefined {
    return this.#listening ? this.#socket?.address().port : undefined;
  }

  start(): Promise<void> {
    const socket = dgram.createSocket({ type: isIP(this.#host) === 6 ? 'udp6' : 'udp4', recvBufferSize: RECEIVE_BUFFER_BYTES });
    this.#socket = socket;
    socket.on('message', (msg) => this.#sink.receive(msg, this.#origin, 0));
    return new Promise((resolve, reject) => {
      socket.once('error', reject);
      socket.bind(this.#port, this.#host, () => {
        socket.off('error', reject);
        // Errors after the bind (ICMP and such) are not worth dying for.
        socket.on('error', () => {});
        this.#listening = true;
        resolve();
      });
    });
  }

  pause(): void {}

  resume(): void {}

  close(): Promise<void> {
    const socket = this.#socket;
    if (!socket || !this.#listening) return Promise.resolve();
    this.#listening = false;
    return new Promise((resolve) => socket.close(() => resolve()));
  }
}
