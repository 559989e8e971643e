// One connection to a forward server: TCP or TLS, the optional shared-key handshake, then requests that each
// wait for their ack. Everything the server sends is read as a msgpack stream and checked for what we expect.
import net from 'node:net';
import tls from 'node:tls';
import { Decoder } from '@msgpack/msgpack';
import { ForwardError, TLS_VERIFY_CODES } from './errors.ts';
import { ackOf, checkPong, parseHelo, pingMessage, type Credentials } from './protocol.ts';

export interface TlsFiles {
  ca?: Buffer | undefined;
  cert?: Buffer | undefined;
  key?: Buffer | undefined;
  verify: boolean;
  serverName?: string | undefined;
}

export interface ConnectOptions {
  host: string;
  port: number;
  tls?: TlsFiles | undefined;
  /** Set when the destination has a shared_key: the handshake runs on every new connection. */
  credentials?: Credentials | undefined;
  /** Bounds connect, TLS and handshake together. */
  timeoutMs: number;
}

/**
 * A server only ever sends small messages (HELO, PONG, acks); these bounds keep a broken or hostile one from
 * making the decoder hold megabytes.
 */
const REPLY_LIMITS = { maxStrLength: 64 * 1024, maxBinLength: 64 * 1024, maxArrayLength: 64, maxMapLength: 64, maxExtLength: 1024 };
/** Idle-connection probes of the kernel (SO_KEEPALIVE), so a server that vanished is noticed between batches. */
const TCP_KEEPALIVE_DELAY_MS = 15_000;

/**
 * The server's TLS alert about our client certificate (none given, unknown CA, expired...), as Node names OpenSSL's
 * alerts. With TLS 1.3 it arrives after the handshake looked complete, on the first read.
 */
const TLS_CLIENT_REFUSED = /^ERR_SSL_(?:TLSV13_|SSLV3_|TLSV1_)?ALERT_(?:CERTIFICATE_REQUIRED|BAD_CERTIFICATE|UNKNOWN_CA|CERTIFICATE_UNKNOWN|CERTIFICATE_EXPIRED|CERTIFICATE_REVOKED|UNSUPPORTED_CERTIFICATE|ACCESS_DENIED)$/;

type Waiter = { resolve: (message: unknown) => void; reject: (error: Error) => void };

/** The error of a socket as a ForwardError naming the server, with the fix where there is one. */
function socketError(label: string, error: unknown, connected: boolean): ForwardError {
  const e = error as { code?: unknown; message?: unknown } | null;
  const code = typeof e?.code === 'string' ? e.code : undefined;
  const text = typeof e?.message === 'string' ? e.message : String(error);
  if (code && TLS_CLIENT_REFUSED.test(code)) {
    return new ForwardError('ERR_FORWARD_TLS', `TLS: ${label} refused this client's certificate: ${text.split('\n')[0]!.slice(0, 200)} (${code}); set tls.cert and tls.key to a certificate signed by a CA the server trusts`);
  }
  if (code && TLS_VERIFY_CODES.has(code)) {
    return new ForwardError('ERR_FORWARD_TLS', `TLS: the certificate of ${label} failed verification: ${text} (${code}); set tls.ca to the CA that signed it, or tls.server_name to the name in it`);
  }
  if (!connected) return new ForwardError('ERR_FORWARD_CONNECT', `cannot connect to ${label}: ${text}${code ? ` (${code})` : ''}`);
  return new ForwardError('ERR_FORWARD_CLOSED', `the connection to ${label} failed: ${text}${code ? ` (${code})` : ''}`);
}

export class ForwardConnection {
  readonly label: string;
  /** false when the server's HELO said it does not keep connections: one request, then close. */
  keepalive = true;
  /** Set once it has waited in the idle pool: a failure on it may be a stale connection, not the server. */
  pooled = false;
  readonly #socket: net.Socket;
  readonly #inbox: unknown[] = [];
  #waiter: Waiter | undefined;
  #ended: ForwardError | undefined;
  #connected = false;
  #endListener: (() => void) | undefined;

  private constructor(socket: net.Socket, label: string) {
    this.#socket = socket;
    this.label = label;
    // Listening from the start: an 'error' with no listener would crash the daemon (one can come after a connect
    // timeout, before the socket is destroyed).
    socket.on('error', (error) => this.#end(socketError(this.label, error, this.#connected)));
    socket.once('close', () => this.#endListener?.());
  }

  /** Connects (TLS and handshake included) within options.timeoutMs; throws a ForwardError saying what failed. */
  static async open(options: ConnectOptions, signal?: AbortSignal): Promise<ForwardConnection> {
    const label = `${options.host}:${options.port}`;
    const t = options.tls;
    const socket: net.Socket = t
      ? tls.connect({
          host: options.host,
          port: options.port,
          ...(t.ca ? { ca: t.ca } : {}),
          ...(t.cert && t.key ? { cert: t.cert, key: t.key } : {}),
          rejectUnauthorized: t.verify,
          // Node sends no SNI for an IP address (and warns when asked to); the name check then uses the IP.
          ...(t.serverName ? { servername: t.serverName } : net.isIP(options.host) ? {} : { servername: options.host }),
        })
      : net.connect({ host: options.host, port: options.port });
    const connection = new ForwardConnection(socket, label);
    const deadline = Date.now() + options.timeoutMs;
    try {
      await connection.#connect(t !== undefined, options.timeoutMs, signal);
      if (options.credentials) await connection.#handshake(options.credentials, deadline, signal);
    } catch (error) {
      connection.destroy();
      throw error;
    }
    return connection;
  }

  #connect(secure: boolean, timeoutMs: number, signal?: AbortSignal): Promise<void> {
    const socket = this.#socket;
    return new Promise<void>((resolve, reject) => {
      const done = (error?: Error) => {
        clearTimeout(timer);
        socket.off(secure ? 'secureConnect' : 'connect', onConnect);
        socket.off('error', onError);
        signal?.removeEventListener('abort', onAbort);
        if (error) reject(error);
        else resolve();
      };
      const onConnect = () => {
        this.#connected = true;
        socket.setNoDelay(true);
        socket.setKeepAlive(true, TCP_KEEPALIVE_DELAY_MS);
        this.#read();
        done();
      };
      const onError = (error: Error) => done(socketError(this.label, error, false));
      const onAbort = () => done(signal!.reason as Error);
      const timer = setTimeout(() => done(new ForwardError('ERR_FORWARD_CONNECT', `cannot connect to ${this.label}: no answer within ${timeoutMs} ms (connect_timeout)`)), timeoutMs);
      socket.once(secure ? 'secureConnect' : 'connect', onConnect);
      socket.once('error', onError);
      signal?.addEventListener('abort', onAbort, { once: true });
    });
  }

  /** Reads every message the server sends, for the handshake and the acks; ends the connection on a malformed one. */
  #read(): void {
    const socket = this.#socket;
    void (async () => {
      try {
        for await (const message of new Decoder(REPLY_LIMITS).decodeStream(socket)) {
          const waiter = this.#waiter;
          if (waiter) {
            this.#waiter = undefined;
            waiter.resolve(message);
          } else this.#inbox.push(message);
        }
        this.#end(new ForwardError('ERR_FORWARD_CLOSED', `${this.label} closed the connection`));
      } catch (error) {
        if (this.#ended) return;
        const e = error as { code?: unknown; message?: unknown };
        // A decoding failure (the server sent something that is not msgpack) or the socket's own error.
        this.#end(typeof e?.code === 'string' ? socketError(this.label, error, true) : new ForwardError('ERR_FORWARD_PROTOCOL', `${this.label} sent data that is not msgpack: ${String(e?.message ?? error)}`));
      }
    })();
  }

  #end(error: ForwardError): void {
    if (this.#ended) return;
    this.#ended = error;
    this.#socket.destroy();
    const waiter = this.#waiter;
    this.#waiter = undefined;
    waiter?.reject(error);
  }

  /** The next message from the server, within `ms`; `what` names it in the timeout error. */
  #next(ms: number, what: string, timeoutCode: 'ERR_FORWARD_HANDSHAKE' | 'ERR_FORWARD_ACK_TIMEOUT', signal?: AbortSignal): Promise<unknown> {
    if (this.#inbox.length > 0) return Promise.resolve(this.#inbox.shift());
    if (this.#ended) return Promise.reject(this.#ended);
    return new Promise((resolve, reject) => {
      const finish = () => {
        clearTimeout(timer);
        signal?.removeEventListener('abort', onAbort);
      };
      const onAbort = () => {
        this.#waiter = undefined;
        finish();
        reject(signal!.reason as Error);
      };
      const timer = setTimeout(() => {
        this.#waiter = undefined;
        finish();
        reject(new ForwardError(timeoutCode, `${this.label} sent no ${what} within ${Math.max(0, Math.round(ms))} ms`));
      }, Math.max(0, ms));
      signal?.addEventListener('abort', onAbort, { once: true });
      this.#waiter = {
        resolve: (m) => {
          finish();
          resolve(m);
        },
        reject: (e) => {
          finish();
          reject(e);
        },
      };
    });
  }

  async #handshake(credentials: Credentials, deadline: number, signal?: AbortSignal): Promise<void> {
    const first = await this.#next(deadline - Date.now(), 'HELO (is shared_key set on the server? without it, remove shared_key here)', 'ERR_FORWARD_HANDSHAKE', signal);
    const helo = parseHelo(first);
    if (typeof helo === 'string') throw new ForwardError('ERR_FORWARD_HANDSHAKE', `${this.label}: ${helo}`);
    this.keepalive = helo.keepalive;
    const { message, salt } = pingMessage(helo, credentials);
    this.#socket.write(message);
    const pong = await this.#next(deadline - Date.now(), 'PONG', 'ERR_FORWARD_HANDSHAKE', signal);
    const problem = checkPong(pong, helo, salt, credentials.sharedKey);
    if (problem) {
      throw new ForwardError(
        problem.refused ? 'ERR_FORWARD_AUTH' : 'ERR_FORWARD_HANDSHAKE',
        `${this.label}: ${problem.reason}${problem.refused ? '; check shared_key (and username/password) against the server\'s security section' : ''}`,
      );
    }
  }

  get usable(): boolean {
    return this.#ended === undefined && !this.#socket.destroyed;
  }

  /**
   * Writes one message and, with a chunk id, waits for the server's ack of it; without one, for the write to be
   * handed to the kernel. Both within `timeoutMs` from now. Throws a ForwardError; the caller destroys the
   * connection after any failure (a late ack must never be read as the next request's).
   */
  async request(frame: readonly Buffer[], chunk: string | undefined, timeoutMs: number, signal: AbortSignal): Promise<void> {
    if (this.#ended) throw this.#ended;
    if (signal.aborted) throw signal.reason;
    const started = Date.now();
    const written = new Promise<void>((resolve, reject) => {
      this.#socket.cork();
      for (let i = 0; i < frame.length - 1; i++) this.#socket.write(frame[i]!);
      this.#socket.write(frame[frame.length - 1]!, (error) => (error ? reject(socketError(this.label, error, true)) : resolve()));
      this.#socket.uncork();
    });
    if (chunk === undefined) {
      let timer: NodeJS.Timeout | undefined;
      const late = new Promise<never>((_, reject) => {
        timer = setTimeout(() => reject(new ForwardError('ERR_FORWARD_ACK_TIMEOUT', `${this.label} did not take the batch within ${timeoutMs} ms (ack_timeout)`)), timeoutMs);
      });
      const aborted = new Promise<never>((_, reject) => signal.addEventListener('abort', () => reject(signal.reason as Error), { once: true }));
      try {
        await Promise.race([written, late, aborted]);
      } finally {
        clearTimeout(timer);
      }
      return;
    }
    // A write error also ends the connection, which fails the wait below with the same error.
    written.catch(() => undefined);
    const reply = await this.#next(timeoutMs - (Date.now() - started), `ack for chunk ${chunk} (ack_timeout)`, 'ERR_FORWARD_ACK_TIMEOUT', signal);
    const ack = ackOf(reply);
    if (ack === chunk) return;
    if (Array.isArray(reply) && reply[0] === 'HELO') {
      throw new ForwardError('ERR_FORWARD_AUTH', `${this.label} asks for the shared-key handshake (it sent HELO) but this destination has no shared_key; set shared_key to the server's`);
    }
    if (ack !== undefined) throw new ForwardError('ERR_FORWARD_PROTOCOL', `${this.label} acknowledged chunk ${ack.slice(0, 40)}, not the chunk ${chunk} it was sent`);
    throw new ForwardError('ERR_FORWARD_PROTOCOL', `${this.label} answered with something other than {"ack": chunk}`);
  }

  destroy(): void {
    this.#end(new ForwardError('ERR_FORWARD_CLOSED', `the connection to ${this.label} was closed`));
  }

  /** Called when the connection ends for any reason (the server closed it, an error, destroy()); replaces the previous one. */
  onEnd(listener: () => void): void {
    this.#endListener = listener;
  }
}
