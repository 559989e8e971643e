// The forward servers of one destination: which are up, which one gets the next batch (by weight, with
// standbys), their idle connections, and the probes that bring a server that went down back into use.
import type { Logger } from '../../src/selflog/logger.ts';
import type { ForwardConnection } from './connection.ts';
import type { ForwardError } from './errors.ts';

export interface ServerSpec {
  host: string;
  port: number;
  weight: number;
  standby: boolean;
}

export interface ServerState extends ServerSpec {
  readonly label: string;
  up: boolean;
  /** The last failure, while the server is down. */
  failure: ForwardError | undefined;
  /** Smooth weighted round-robin credit (nginx's upstream algorithm). */
  credit: number;
  idle: Array<{ connection: ForwardConnection; timer: NodeJS.Timeout }>;
  probe: NodeJS.Timeout | undefined;
}

export interface UpstreamOptions {
  /** Opens a ready connection (TLS and handshake done) or throws a ForwardError. */
  connect: (server: ServerState, signal?: AbortSignal) => Promise<ForwardConnection>;
  recoverIntervalMs: number;
  keepaliveTimeoutMs: number;
  /** Idle connections kept per server: the destination's concurrency. */
  maxIdle: number;
  logger: Logger;
  destination: string;
}

export class ForwardUpstream {
  readonly servers: readonly ServerState[];
  readonly #o: UpstreamOptions;
  #closed = false;
  #probing = true;

  constructor(specs: readonly ServerSpec[], options: UpstreamOptions) {
    this.#o = options;
    // Every server counts as up until it fails: the start-up check and the first batches find out.
    this.servers = specs.map((s) => ({ ...s, label: `${s.host}:${s.port}`, up: true, failure: undefined, credit: 0, idle: [], probe: undefined }));
  }

  /**
   * The servers in use: the regular ones that are up, and while some regular weight is down, standbys that are
   * up, in list order, until they cover the lost weight (Fluentd out_forward's rule).
   */
  #active(): ServerState[] {
    const active: ServerState[] = [];
    let lost = 0;
    for (const s of this.servers) {
      if (s.standby) continue;
      if (s.up) active.push(s);
      else lost += s.weight;
    }
    for (const s of this.servers) {
      if (lost <= 0) break;
      if (s.standby && s.up) {
        active.push(s);
        lost -= s.weight;
      }
    }
    return active;
  }

  /**
   * The server for the next try of a batch, never one in `tried`: by smooth weighted round-robin among the
   * servers in use (weights 60 and 20 give a a a b a a a b...); else any other server that is up; else, when
   * none is, the servers that are down, in list order (a send then is also a probe).
   */
  pick(tried: ReadonlySet<ServerState>): ServerState | undefined {
    const candidates = this.#active().filter((s) => !tried.has(s));
    if (candidates.length > 0) {
      let total = 0;
      let best: ServerState | undefined;
      for (const s of candidates) {
        s.credit += s.weight;
        total += s.weight;
        if (!best || s.credit > best.credit) best = s;
      }
      best!.credit -= total;
      return best;
    }
    return this.servers.find((s) => s.up && !tried.has(s)) ?? this.servers.find((s) => !tried.has(s));
  }

  /** An idle connection to the server (the most recent), or a new one. */
  async acquire(server: ServerState, signal?: AbortSignal): Promise<ForwardConnection> {
    while (server.idle.length > 0) {
      const { connection, timer } = server.idle.pop()!;
      clearTimeout(timer);
      if (connection.usable) return connection;
    }
    return this.#o.connect(server, signal);
  }

  /** Keeps a connection for the next batch, closed after keepalive_timeout idle; closes it when it cannot stay. */
  release(server: ServerState, connection: ForwardConnection): void {
    if (this.#closed || !connection.keepalive || !connection.usable || !server.up || server.idle.length >= this.#o.maxIdle) {
      connection.destroy();
      return;
    }
    const entry = {
      connection,
      timer: setTimeout(() => {
        const i = server.idle.indexOf(entry);
        if (i >= 0) server.idle.splice(i, 1);
        connection.destroy();
      }, this.#o.keepaliveTimeoutMs),
    };
    entry.timer.unref();
    connection.pooled = true;
    server.idle.push(entry);
    // A connection the server closes while idle leaves the pool at once, so the next batch does not find it dead.
    connection.onEnd(() => {
      const i = server.idle.indexOf(entry);
      if (i >= 0) {
        clearTimeout(entry.timer);
        server.idle.splice(i, 1);
      }
    });
  }

  /** The server took a batch or answered a probe: it is up (again). */
  succeeded(server: ServerState): void {
    if (server.up) return;
    server.up = true;
    server.failure = undefined;
    server.credit = 0;
    clearTimeout(server.probe);
    server.probe = undefined;
    this.#o.logger.info({ destination: this.#o.destination, server: server.label }, 'forward server is up again; it gets batches again');
  }

  /** The server failed: it is down, its idle connections are closed, and a probe tries it every recover_interval. */
  failed(server: ServerState, error: ForwardError): void {
    const wasUp = server.up;
    server.up = false;
    server.failure = error;
    for (const { connection, timer } of server.idle.splice(0)) {
      clearTimeout(timer);
      connection.destroy();
    }
    if (wasUp) {
      const others = this.servers.filter((s) => s.up).map((s) => s.label);
      this.#o.logger.warn(
        { destination: this.#o.destination, server: server.label, reason: error.message, code: error.code, serversUp: others },
        others.length > 0 ? 'forward server is down; its batches go to the other servers' : 'forward server is down, and no other server is up; sends are retried',
      );
    }
    this.#scheduleProbe(server);
  }

  #scheduleProbe(server: ServerState): void {
    if (this.#closed || !this.#probing || server.probe) return;
    server.probe = setTimeout(() => {
      server.probe = undefined;
      void this.#probe(server);
    }, this.#o.recoverIntervalMs);
    server.probe.unref();
  }

  async #probe(server: ServerState): Promise<void> {
    if (this.#closed || server.up) return;
    try {
      const connection = await this.#o.connect(server);
      if (this.#closed) {
        connection.destroy();
        return;
      }
      this.succeeded(server);
      this.release(server, connection);
    } catch (error) {
      server.failure = error as ForwardError;
      this.#o.logger.debug({ destination: this.#o.destination, server: server.label, reason: (error as Error).message }, 'forward server still down');
      this.#scheduleProbe(server);
    }
  }

  /** Every server is down because it refused us (handshake, credentials, TLS check): no retry can help. */
  get allRefused(): boolean {
    return this.servers.every((s) => !s.up && s.failure?.refused === true);
  }

  /** The destination stopped for good: probes end (connections in use finish or fail on their own). */
  stopProbing(): void {
    this.#probing = false;
    for (const s of this.servers) {
      clearTimeout(s.probe);
      s.probe = undefined;
    }
  }

  close(): void {
    this.#closed = true;
    this.stopProbing();
    for (const s of this.servers) {
      for (const { connection, timer } of s.idle.splice(0)) {
        clearTimeout(timer);
        connection.destroy();
      }
    }
  }
}
