// The syslog destination: records batched in stream groups, encoded as RFC 5424 or RFC 3164 messages, sent over UDP, TCP or TLS.
import { ConfigError, DestinationError } from '../../src/model/errors.ts';
import type { LogRecord, RecordSource } from '../../src/model/log-record.ts';
import { ALL_ACCEPTED, type BatchLimits, type Destination, type DestinationContext, type Encoded, type FailureAction, type SendResult } from '../../src/pipeline/destination.ts';
import { FACILITIES, maxMessageBytes, parseSyslogUrl, type SyslogEndpoint, type SyslogOptions } from './config.ts';
import { SyslogEncoder } from './encode.ts';
import { classifySyslogFailure } from './retry.ts';
import { StreamTransport } from './stream-transport.ts';
import { buildTlsContext } from './tls-context.ts';
import { UdpTransport } from './udp-transport.ts';

/**
 * Batch bounds. A stream batch is one socket write, so 1 MiB keeps writes large without holding much; a UDP
 * batch is that many datagrams handed to the kernel at once, kept small so a burst does not overflow the
 * server's receive buffer more than it must.
 */
const STREAM_BATCH = { maxEvents: 10_000, maxBytes: 1_048_576 };
const UDP_BATCH = { maxEvents: 500, maxBytes: 262_144 };

/** FNV-1a of the stream name, modulo the group count. */
export function streamGroup(stream: string, groups: number): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < stream.length; i++) h = Math.imul(h ^ stream.charCodeAt(i), 0x01000193);
  return (h >>> 0) % groups;
}

export class SyslogDestination implements Destination<string> {
  readonly type = 'syslog';
  readonly id: string;
  readonly limits: BatchLimits;
  readonly endpoint: SyslogEndpoint;
  readonly #encoder: SyslogEncoder;
  readonly #stream: StreamTransport | undefined;
  readonly #udp: UdpTransport | undefined;
  readonly #context: DestinationContext;
  readonly #options: SyslogOptions;
  /** Group of each source's stream (the normalizer shares one source object among a container's records). */
  readonly #groups = new WeakMap<RecordSource, string>();

  constructor(options: SyslogOptions, context: DestinationContext) {
    this.id = context.id;
    this.#context = context;
    this.#options = options;
    const endpoint = parseSyslogUrl(options.url);
    if (typeof endpoint === 'string') throw new ConfigError([`destinations.${context.id}.url: ${endpoint}`]);
    this.endpoint = endpoint;
    const where = `destinations.${context.id}`;
    const udp = endpoint.transport === 'udp';
    this.#encoder = new SyslogEncoder({
      format: options.format,
      framing: udp ? 'datagram' : (options.framing ?? 'octet-counting'),
      facility: typeof options.facility === 'number' ? options.facility : FACILITIES.indexOf(options.facility),
      appName: options.app_name,
      hostname: options.hostname,
      procid: options.procid,
      msgid: options.msgid,
      structuredData: options.structured_data,
      message: options.message,
      maxMessageBytes: maxMessageBytes(options, endpoint.transport),
      oversize: options.oversize,
      where,
    });
    this.limits = { ...(udp ? UDP_BATCH : STREAM_BATCH), flushIntervalMs: options.flush_interval, concurrency: options.concurrency };
    if (udp) this.#udp = new UdpTransport(endpoint);
    else {
      const tlsOptions = endpoint.transport === 'tls' ? (options.tls ?? { verify: true }) : undefined;
      this.#stream = new StreamTransport({
        endpoint,
        ...(tlsOptions ? { tls: { context: buildTlsContext(tlsOptions, where), verify: tlsOptions.verify, serverName: tlsOptions.server_name } } : {}),
        connectTimeoutMs: options.connect_timeout,
        settleMs: options.settle_time,
        logger: context.logger,
      });
    }
  }

  get where(): string {
    return (this.#stream ?? this.#udp)!.where;
  }

  async start(): Promise<void> {
    const log = this.#context.logger;
    if (this.endpoint.transport === 'tls' && this.#options.tls?.verify === false) {
      log.warn(
        { destination: this.id, url: this.where },
        'TLS CERTIFICATE VERIFICATION IS OFF (tls.verify: false): any server, or anyone in the path, can receive these logs and read or alter them; set tls.ca to the CA of the server and remove verify: false',
      );
    }
    if (this.#udp) {
      log.info({ destination: this.id, url: this.where }, 'syslog over UDP is lossy: a datagram counts as sent once the kernel took it, and the server never confirms it');
      if (this.#options.healthcheck) await this.#udp.open();
      return;
    }
    if (!this.#options.healthcheck) return;
    await this.#stream!.connect();
    log.info({ destination: this.id, url: this.where }, 'connected to the syslog server (start-up healthcheck)');
  }

  /**
   * Streams are batched in `concurrency` groups (a stream always in the same one), not one batch per stream: a
   * batch waits for its acknowledgement and settle_time, and one small batch per stream could then move only
   * concurrency batches per settle_time, far too few with hundreds of containers. A stream's messages stay in
   * order; the groups share the connection.
   */
  key(record: LogRecord): string {
    let group = this.#groups.get(record.source);
    if (group === undefined) {
      group = String(streamGroup(record.source.stream, this.limits.concurrency));
      this.#groups.set(record.source, group);
    }
    return group;
  }

  encode(record: LogRecord): Array<Encoded<string>> {
    return this.#encoder.encode(record);
  }

  async send(_key: string, events: string[], signal: AbortSignal): Promise<SendResult> {
    const timeout = AbortSignal.timeout(this.#options.request_timeout);
    const bounded = AbortSignal.any([signal, timeout]);
    try {
      if (this.#udp) await this.#udp.send(events, bounded);
      else await this.#stream!.send(Buffer.from(events.length === 1 ? events[0]! : events.join(''), 'utf8'), bounded);
    } catch (error) {
      if (timeout.aborted && !signal.aborted) {
        throw new DestinationError('ETIMEDOUT', `${this.where}: the batch was not acknowledged within request_timeout (${this.#options.request_timeout} ms); is the server reading? retrying on a new connection`, { retryable: true });
      }
      throw error;
    }
    return ALL_ACCEPTED;
  }

  classify(error: unknown): FailureAction {
    return classifySyslogFailure(error);
  }

  async close(): Promise<void> {
    await (this.#stream ?? this.#udp)!.close();
  }
}
