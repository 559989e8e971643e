// unix:///PATH, tcp://HOST:PORT, tcp+tls://HOST:PORT: byte streams, split into messages by StreamFramer.
// These can push back: while journald is behind, every connection stops reading, so senders wait (Docker's
// syslog driver blocks that container's log copier) instead of the proxy buffering or dropping.
import { chmodSync, lstatSync, unlinkSync } from 'node:fs';
import net from 'node:net';
import tls from 'node:tls';
import { StreamFramer } from '../stream-framer.ts';
import type { Listener, MessageSink, Origin } from './listener.ts';

/** At shutdown, how long connections are read after they go quiet, and at most in all (what the kernel holds is read too). */
const CLOSE_QUIET_MS = 100;
const CLOSE_MAX_MS = 1000;

export type StreamTarget = { path: string } | { host: string; port: number };

interface Connection {
  socket: net.Socket;
  framer: StreamFramer;
  lastData: number;
}

export class StreamListener implements Listener {
  readonly url: string;
  readonly #target: StreamTarget;
  readonly #mode: number;
  readonly #maxFrame: number;
  readonly #sink: MessageSink;
  readonly #server: net.Server;
  readonly #connections = new Set<Connection>();
  #paused = false;
  #listening = false;

  constructor(url: string, target: StreamTarget, options: { mode: number; maxFrame: number; tls?: tls.TlsOptions | undefined; onError?: (error: Error) => void }, sink: MessageSink) {
    this.url = url;
    this.#target = target;
    this.#mode = options.mode;
    this.#maxFrame = options.maxFrame;
    this.#sink = sink;
    const onConnection = (socket: net.Socket) => this.#accept(socket);
    if (options.tls) {
      const server = tls.createServer(options.tls, onConnection);
      // A client that fails the handshake (wrong CA, plain TCP) is its own problem, not the proxy's.
      server.on('tlsClientError', (error) => options.onError?.(error));
      this.#server = server;
    } else {
      this.#server = net.createServer(onConnection);
    }
  }

  get listening(): boolean {
    return this.#listening;
  }

  get port(): number | undefined {
    const address = this.#server.address();
    return typeof address === 'object' && address !== null ? address.port : undefined;
  }

  get connections(): number {
    return this.#connections.size;
  }

  async start(): Promise<void> {
    const target = this.#target;
    if ('path' in target) await removeStaleStreamSocket(target.path);
    await new Promise<void>((resolve, reject) => {
      this.#server.once('error', reject);
      const ready = () => {
        this.#server.off('error', reject);
        resolve();
      };
      if ('path' in target) this.#server.listen(target.path, ready);
      else this.#server.listen(target.port, target.host, ready);
    });
    if ('path' in target) chmodSync(target.path, this.#mode);
    this.#listening = true;
  }

  #accept(socket: net.Socket): void {
    const origin: Origin = { listener: this.url, datagram: false };
    const connection: Connection = {
      socket,
      framer: new StreamFramer(this.#maxFrame, (frame, flags) => this.#sink.receive(frame, origin, flags)),
      lastData: Date.now(),
    };
    this.#connections.add(connection);
    socket.on('data', (chunk: Buffer) => {
      connection.lastData = Date.now();
      connection.framer.push(chunk);
    });
    // A last message without its "\n" is still a message, also when the connection breaks instead of ending.
    let ended = false;
    const end = () => {
      if (ended) return;
      ended = true;
      connection.framer.end();
    };
    socket.on('end', end);
    socket.on('error', () => {});
    socket.on('close', () => {
      end();
      this.#connections.delete(connection);
    });
    if (this.#paused) socket.pause();
  }

  pause(): void {
    if (this.#paused) return;
    this.#paused = true;
    for (const c of this.#connections) c.socket.pause();
  }

  resume(): void {
    if (!this.#paused) return;
    this.#paused = false;
    for (const c of this.#connections) c.socket.resume();
  }

  async close(): Promise<void> {
    if (!this.#listening) return;
    this.#listening = false;
    const closed = new Promise<void>((resolve) => this.#server.close(() => resolve()));
    // Read what the connections still hold (in the kernel too) until they go quiet, then close them.
    this.#paused = false;
    for (const c of this.#connections) c.socket.resume();
    const deadline = Date.now() + CLOSE_MAX_MS;
    while (this.#connections.size > 0 && Date.now() < deadline) {
      const now = Date.now();
      if ([...this.#connections].every((c) => now - c.lastData >= CLOSE_QUIET_MS)) break;
      await new Promise((r) => setTimeout(r, 20));
    }
    for (const c of this.#connections) c.socket.destroy();
    this.#connections.clear();
    await closed;
  }
}

/** A socket file left by a process that died is removed; a live one (another proxy) or another kind of file is an error. */
async function removeStaleStreamSocket(path: string): Promise<void> {
  let stat;
  try {
    stat = lstatSync(path);
  } catch {
    return;
  }
  if (!stat.isSocket()) throw Object.assign(new Error(`${path}: exists and is not a socket`), { code: 'EEXIST' });
  const live = await new Promise<boolean>((resolve) => {
    const probe = net.connect(path);
    probe.once('connect', () => {
      probe.destroy();
      resolve(true);
    });
    probe.once('error', () => resolve(false));
  });
  if (live) throw Object.assign(new Error(`${path}: another process accepts connections on this socket`), { code: 'EADDRINUSE' });
  unlinkSync(path);
}
