// Syslog over TCP or TLS: one connection, opened on demand and again after it fails (the pipeline's retries pace the reconnects).
import net from 'node:net';
import tls from 'node:tls';
import { DestinationError } from '../../src/model/errors.ts';
import type { Logger } from '../../src/selflog/logger.ts';
import { StreamConnection } from './connection.ts';
import { describeConnectError } from './retry.ts';
import { tcpAcks } from './tcp-acks.ts';
import type { SyslogEndpoint } from './config.ts';

export interface StreamTransportOptions {
  endpoint: SyslogEndpoint;
  /** Set for tls://: the context (CAs, client certificate) built once, and how to check the server. */
  tls?: { context: tls.SecureContext; verify: boolean; serverName: string | undefined };
  connectTimeoutMs: number;
  /** See StreamConnection: how long a connection must stand after a batch's acknowledgement. */
  settleMs: number;
  logger: Logger;
}

export class StreamTransport {
  readonly #o: StreamTransportOptions;
  readonly where: string;
  #connection: StreamConnection | undefined;
  #connecting: Promise<StreamConnection> | undefined;
  #ackFallbackLogged = false;
  #closed = false;

  constructor(options: StreamTransportOptions) {
    this.#o = options;
    const { transport, host, port } = options.endpoint;
    this.where = `${transport}://${host.includes(':') ? `[${host}]` : host}:${port}`;
  }

  /** The working connection, or a new one; concurrent callers share one attempt. Throws a classified DestinationError. */
  connect(): Promise<StreamConnection> {
    if (this.#closed) return Promise.reject(new DestinationError('ECONNCLOSED', `${this.where}: the destination is closed`, { retryable: true }));
    if (this.#connection && !this.#connection.failure) return Promise.resolve(this.#connection);
    this.#connecting ??= this.#open().finally(() => (this.#connecting = undefined));
    return this.#connecting;
  }

  async #open(): Promise<StreamConnection> {
    const socket = await this.#socket();
    socket.setNoDelay(true);
    // Finds a server that vanished without a reset (host gone, NAT dropped) on an idle connection.
    socket.setKeepAlive(true, 30_000);
    const acks = await tcpAcks(socket);
    if (typeof acks === 'string' && !this.#ackFallbackLogged) {
      this.#ackFallbackLogged = true;
      this.#o.logger.warn({ destination: this.where, reason: acks }, 'cannot read TCP acknowledgements here: a batch counts as delivered once the kernel took it, and a server restart may lose the last batches');
    }
    const connection = new StreamConnection(socket, this.where, typeof acks === 'string' ? undefined : acks, this.#o.settleMs);
    if (this.#closed) {
      connection.destroy();
      throw new DestinationError('ECONNCLOSED', `${this.where}: the destination is closed`, { retryable: true });
    }
    this.#connection = connection;
    return connection;
  }

  #socket(): Promise<net.Socket> {
    const { host, port } = this.#o.endpoint;
    const t = this.#o.tls;
    return new Promise((resolve, reject) => {
      const socket: net.Socket = t
        ? tls.connect({
            host,
            port,
            secureContext: t.context,
            rejectUnauthorized: t.verify,
            ...(t.serverName !== undefined || net.isIP(host) === 0 ? { servername: t.serverName ?? host } : {}),
          })
        : net.connect({ host, port });
      const timer = setTimeout(() => {
        const error = Object.assign(new Error(`no connection${t ? ' and TLS handshake' : ''} within ${this.#o.connectTimeoutMs} ms`), { code: 'ETIMEDOUT' });
        socket.destroy(error);
      }, this.#o.connectTimeoutMs);
      const onError = (error: Error) => {
        clearTimeout(timer);
        socket.destroy();
        reject(describeConnectError(error, this.where, t !== undefined));
      };
      socket.once('error', onError);
      socket.once(t ? 'secureConnect' : 'connect', () => {
        clearTimeout(timer);
        socket.off('error', onError);
        resolve(socket);
      });
    });
  }

  /** Writes one framed batch on the connection; resolves once the server acknowledged it (see StreamConnection). */
  async send(payload: Buffer, signal: AbortSignal): Promise<void> {
    const connection = await this.connect();
    await connection.write(payload, signal);
  }

  async close(): Promise<void> {
    this.#closed = true;
    const connection = this.#connection;
    this.#connection = undefined;
    await connection?.end();
  }
}
