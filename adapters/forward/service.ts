// Sends one batch to the forward servers: a PackedForward message (gzipped when asked) with a chunk id, over a
// kept-alive connection, to the server the weights pick; when that server fails, to the next one.
import { promisify } from 'node:util';
import { gzip as gzipCallback } from 'node:zlib';
import type { Logger } from '../../src/selflog/logger.ts';
import { ForwardConnection, type TlsFiles } from './connection.ts';
import { ForwardError } from './errors.ts';
import { newChunkId, packedForwardFrame, type Credentials } from './protocol.ts';
import { ForwardUpstream, type ServerSpec, type ServerState } from './upstream.ts';

const gzip = promisify(gzipCallback);

export interface ForwardServiceOptions {
  destination: string;
  servers: readonly ServerSpec[];
  tls: TlsFiles | undefined;
  credentials: Credentials | undefined;
  compressed: boolean;
  requireAck: boolean;
  ackTimeoutMs: number;
  connectTimeoutMs: number;
  recoverIntervalMs: number;
  keepaliveTimeoutMs: number;
  concurrency: number;
  logger: Logger;
}

export class ForwardService {
  readonly upstream: ForwardUpstream;
  readonly #o: ForwardServiceOptions;
  /**
   * A batch's message, built once and kept across its retries (the runner hands the same events array to each
   * attempt): no second concatenation or gzip, and the same chunk id, as Fluentd's out_forward resends a chunk
   * under its unique id (a receiver that remembers ids can drop the copy).
   */
  readonly #messages = new WeakMap<readonly Buffer[], { frame: Buffer[]; chunk: string | undefined; bytes: number }>();

  constructor(options: ForwardServiceOptions) {
    this.#o = options;
    this.upstream = new ForwardUpstream(options.servers, {
      connect: (server, signal) => this.#connect(server, signal),
      recoverIntervalMs: options.recoverIntervalMs,
      keepaliveTimeoutMs: options.keepaliveTimeoutMs,
      maxIdle: options.concurrency,
      logger: options.logger,
      destination: options.destination,
    });
  }

  #connect(server: ServerState, signal?: AbortSignal): Promise<ForwardConnection> {
    return ForwardConnection.open({ host: server.host, port: server.port, tls: this.#o.tls, credentials: this.#o.credentials, timeoutMs: this.#o.connectTimeoutMs }, signal);
  }

  /**
   * Sends the batch and resolves once a server acknowledged it. Each server is tried at most once; a connection that
   * waited in the idle pool and breaks before any answer is replaced by a fresh one once before the server counts
   * as failed (the server may have closed it just as it was taken). Throws ERR_FORWARD_UNAVAILABLE or ERR_FORWARD_REFUSED
   * with what each server said.
   */
  async send(tag: string, entries: readonly Buffer[], signal: AbortSignal): Promise<void> {
    const { frame, chunk, bytes } = this.#messages.get(entries) ?? (await this.#message(tag, entries));

    const tried = new Set<ServerState>();
    const failures: string[] = [];
    for (let server = this.upstream.pick(tried); server; server = this.upstream.pick(tried)) {
      tried.add(server);
      try {
        const connection = await this.#sendTo(server, frame, chunk, signal);
        this.upstream.succeeded(server);
        this.upstream.release(server, connection);
        return;
      } catch (error) {
        if (signal.aborted) throw signal.reason;
        const e = error instanceof ForwardError ? error : new ForwardError('ERR_FORWARD_CLOSED', `${server.label}: ${String((error as Error | null)?.message ?? error)}`);
        this.upstream.failed(server, e);
        failures.push(e.message);
      }
    }
    const what = `tag ${tag}, ${entries.length} entries, ${bytes} bytes`;
    if (this.upstream.allRefused) {
      this.upstream.stopProbing();
      throw new ForwardError('ERR_FORWARD_REFUSED', `destination ${this.#o.destination}: every forward server refused this client (${what}): ${failures.join('; ')}`);
    }
    throw new ForwardError('ERR_FORWARD_UNAVAILABLE', `destination ${this.#o.destination}: no forward server took the batch (${what}): ${failures.join('; ')}; retrying with backoff`);
  }

  async #message(tag: string, entries: readonly Buffer[]): Promise<{ frame: Buffer[]; chunk: string | undefined; bytes: number }> {
    const chunk = this.#o.requireAck ? newChunkId() : undefined;
    let payload = entries.length === 1 ? entries[0]! : Buffer.concat(entries as Buffer[]);
    if (this.#o.compressed) payload = await gzip(payload);
    const message = { frame: packedForwardFrame(tag, payload, { size: entries.length, chunk, compressed: this.#o.compressed ? 'gzip' : undefined }), chunk, bytes: payload.length };
    this.#messages.set(entries, message);
    return message;
  }

  /** Sends over a kept or new connection to the server; resolves with the connection, for the caller to keep. */
  async #sendTo(server: ServerState, frame: readonly Buffer[], chunk: string | undefined, signal: AbortSignal): Promise<ForwardConnection> {
    let fresh = false;
    for (;;) {
      const connection = fresh ? await this.#connect(server, signal) : await this.upstream.acquire(server, signal);
      const stale = connection.pooled;
      try {
        await connection.request(frame, chunk, this.#o.ackTimeoutMs, signal);
      } catch (error) {
        connection.destroy();
        if (stale && !fresh && error instanceof ForwardError && error.code === 'ERR_FORWARD_CLOSED' && !signal.aborted) {
          fresh = true;
          continue;
        }
        throw error;
      }
      return connection;
    }
  }

  /**
   * Connects to every server (TLS and handshake included) and keeps the connections for the first batches.
   * Returns which answered and what the others said; throws ERR_FORWARD_REFUSED when every server refused us.
   */
  async healthcheck(): Promise<{ up: string[]; down: string[] }> {
    const up: string[] = [];
    const down: string[] = [];
    await Promise.all(
      this.upstream.servers.map(async (server) => {
        try {
          const connection = await this.#connect(server);
          this.upstream.succeeded(server);
          this.upstream.release(server, connection);
          up.push(server.label);
        } catch (error) {
          const e = error as ForwardError;
          this.upstream.failed(server, e);
          down.push(e.message);
        }
      }),
    );
    if (this.upstream.allRefused) {
      this.upstream.stopProbing();
      throw new ForwardError('ERR_FORWARD_REFUSED', `destination ${this.#o.destination}: every forward server refused this client at start-up: ${down.join('; ')}`);
    }
    return { up, down };
  }

  close(): void {
    this.upstream.close();
  }
}
