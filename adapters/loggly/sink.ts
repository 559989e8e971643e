// The Loggly destination: records batched per tag set, sent to the bulk endpoint, failures classified for the pipeline.
import type { LogRecord } from '../../src/model/log-record.ts';
import { ALL_ACCEPTED, type BatchLimits, type Destination, type DestinationContext, type Encoded, type FailureAction, type SendResult } from '../../src/pipeline/destination.ts';
import { LINE_BATCHES, LineBatch } from '../http/line-batch.ts';
import type { OversizeMode } from '../http/oversize.ts';
import { LOGGLY_MAX_BATCH_EVENTS, type LogglyOptions } from './config.ts';
import { encodeLogglyEvent } from './encode.ts';
import { classifyLogglyFailure } from './retry.ts';
import { LogglyService } from './service.ts';
import { compileLogglyTags } from './tags.ts';

export class LogglyDestination implements Destination<string, LineBatch | readonly string[]> {
  readonly type = 'loggly';
  readonly id: string;
  readonly limits: BatchLimits;
  readonly batches = LINE_BATCHES;
  readonly #tags: (record: LogRecord) => string;
  readonly #oversize: OversizeMode;
  readonly #healthcheck: boolean;
  readonly #service: LogglyService;
  readonly #context: DestinationContext;

  constructor(options: LogglyOptions, context: DestinationContext) {
    this.id = context.id;
    this.#context = context;
    this.#tags = compileLogglyTags(options.tags, `destinations.${context.id}.tags`);
    this.#oversize = options.oversize;
    this.#healthcheck = options.healthcheck;
    this.limits = {
      maxEvents: LOGGLY_MAX_BATCH_EVENTS,
      maxBytes: options.max_batch_bytes,
      flushIntervalMs: options.flush_interval,
      concurrency: options.concurrency,
    };
    this.#service = new LogglyService({
      destination: context.id,
      endpoint: options.endpoint,
      token: options.token,
      gzip: options.gzip,
      timeoutMs: options.request_timeout,
      maxSockets: options.concurrency,
    });
  }

  async start(): Promise<void> {
    if (!this.#healthcheck) return;
    await this.#service.healthcheck();
    this.#context.logger.info({ destination: this.id }, 'Loggly bulk endpoint answered the start-up healthcheck');
  }

  /** Records with the same rendered tags share a bulk URL, so they are batched together. */
  key(record: LogRecord): string {
    return this.#tags(record);
  }

  encode(record: LogRecord): Array<Encoded<string>> {
    return encodeLogglyEvent(record, this.#oversize);
  }

  async send(key: string, events: LineBatch | readonly string[], signal: AbortSignal): Promise<SendResult> {
    const batch = events instanceof LineBatch ? events : LineBatch.of(events);
    try {
      await this.#service.send(key, batch, signal);
    } finally {
      if (batch !== events) batch.release();
    }
    return ALL_ACCEPTED;
  }

  classify(error: unknown): FailureAction {
    return classifyLogglyFailure(error);
  }

  async close(): Promise<void> {
    this.#service.close();
  }
}
