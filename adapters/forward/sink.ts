// The Fluent forward destination: records batched per tag, sent as PackedForward messages to the aggregators,
// acknowledged when a server acks them; failures classified for the pipeline.
import { readFileSync } from 'node:fs';
import { ConfigError } from '../../src/model/errors.ts';
import type { LogRecord } from '../../src/model/log-record.ts';
import { ALL_ACCEPTED, type BatchLimits, type Destination, type DestinationContext, type Encoded, type FailureAction, type SendResult } from '../../src/pipeline/destination.ts';
import type { OversizeMode } from '../http/oversize.ts';
import type { TlsFiles } from './connection.ts';
import type { ForwardOptions } from './config.ts';
import { encodeRecordEntries } from './encode.ts';
import { ForwardError } from './errors.ts';
import { classifyForwardFailure } from './retry.ts';
import { ForwardService } from './service.ts';
import { compileTag } from './tag.ts';

/** Reads a PEM file named by a tls option at start-up; a missing or unreadable one is a ConfigError naming the key. */
function readPem(path: string | undefined, where: string): Buffer | undefined {
  if (path === undefined) return undefined;
  try {
    return readFileSync(path);
  } catch (error) {
    throw new ConfigError([`${where}: cannot read ${JSON.stringify(path)}: ${(error as Error).message}; give the path of a PEM file the daemon can read`]);
  }
}

export class ForwardDestination implements Destination<Buffer> {
  readonly type = 'forward';
  readonly id: string;
  readonly limits: BatchLimits;
  readonly service: ForwardService;
  readonly #tag: (record: LogRecord) => string;
  readonly #maxEntryBytes: number;
  readonly #oversize: OversizeMode;
  readonly #healthcheck: boolean;
  readonly #context: DestinationContext;

  constructor(options: ForwardOptions, context: DestinationContext) {
    this.id = context.id;
    this.#context = context;
    const where = `destinations.${context.id}`;
    this.#tag = compileTag(options.tag, `${where}.tag`);
    this.#maxEntryBytes = options.max_batch_bytes;
    this.#oversize = options.oversize;
    this.#healthcheck = options.healthcheck;
    this.limits = {
      maxEvents: options.max_batch_events,
      maxBytes: options.max_batch_bytes,
      flushIntervalMs: options.flush_interval,
      concurrency: options.concurrency,
    };
    const t = options.tls;
    const tls: TlsFiles | undefined = t.enabled
      ? { verify: t.verify, ca: readPem(t.ca, `${where}.tls.ca`), cert: readPem(t.cert, `${where}.tls.cert`), key: readPem(t.key, `${where}.tls.key`), serverName: t.server_name }
      : undefined;
    this.service = new ForwardService({
      destination: context.id,
      servers: options.servers,
      tls,
      credentials: options.shared_key === undefined
        ? undefined
        : { sharedKey: options.shared_key, hostname: options.self_hostname ?? context.host, username: options.username, password: options.password },
      compressed: options.compressed === 'gzip',
      requireAck: options.require_ack,
      ackTimeoutMs: options.ack_timeout,
      connectTimeoutMs: options.connect_timeout,
      recoverIntervalMs: options.recover_interval,
      keepaliveTimeoutMs: options.keepalive_timeout,
      concurrency: options.concurrency,
      logger: context.logger,
    });
  }

  /**
   * Connects to every server. Every server refusing us (shared key, credentials, TLS check) is fatal; none
   * answering is not (the pipeline logs it and retries: aggregators often start after the hosts).
   */
  async start(): Promise<void> {
    if (!this.#healthcheck) return;
    const { up, down } = await this.service.healthcheck();
    if (up.length === 0) {
      throw new ForwardError('ERR_FORWARD_UNAVAILABLE', `destination ${this.id}: no forward server answered the start-up check: ${down.join('; ')}`);
    }
    this.#context.logger.info({ destination: this.id, serversUp: up, serversDown: down }, 'forward servers answered the start-up check');
  }

  /** Records with one tag go in one message: the tag is the key. */
  key(record: LogRecord): string {
    return this.#tag(record);
  }

  encode(record: LogRecord): Array<Encoded<Buffer>> {
    return encodeRecordEntries(record, this.#maxEntryBytes, this.#oversize);
  }

  async send(tag: string, entries: Buffer[], signal: AbortSignal): Promise<SendResult> {
    await this.service.send(tag, entries, signal);
    return ALL_ACCEPTED;
  }

  classify(error: unknown): FailureAction {
    return classifyForwardFailure(error);
  }

  async close(): Promise<void> {
    this.service.close();
  }
}
