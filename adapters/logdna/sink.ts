// The LogDNA (Mezmo) destination: lines batched per host and tag set, sent to the ingest API, failures classified.
import type { LogRecord } from '../../src/model/log-record.ts';
import { compileTemplate, type CompiledTemplate } from '../../src/normalize/template.ts';
import type { BatchLimits, Destination, DestinationContext, Encoded, FailureAction, SendResult } from '../../src/pipeline/destination.ts';
import { LINE_BATCHES, LineBatch } from '../http/line-batch.ts';
import type { OversizeMode } from '../http/oversize.ts';
import { compileTagSet } from '../http/tag-set.ts';
import { LOGDNA_MAX_BATCH_LINES, type LogdnaOptions } from './config.ts';
import { encodeLogdnaLine, LINES_ENVELOPE_BYTES } from './encode.ts';
import { classifyLogdnaFailure } from './retry.ts';
import { LogdnaService } from './service.ts';

/** A rendered tag as one item of the comma-separated `tags` parameter. */
const sanitizeLogdnaTag = (tag: string): string => tag.replace(/[,\s]+/g, '_');

/** The batch key: host and tags, which are per request (query parameters); app and level are per line. */
const KEY_SEPARATOR = '\n';

export class LogdnaDestination implements Destination<string, LineBatch | readonly string[]> {
  readonly type = 'logdna';
  readonly id: string;
  readonly limits: BatchLimits;
  readonly batches = LINE_BATCHES;
  readonly #app: CompiledTemplate;
  readonly #tags: (record: LogRecord) => string;
  readonly #oversize: OversizeMode;
  readonly #healthcheck: boolean;
  readonly #service: LogdnaService;
  readonly #context: DestinationContext;

  constructor(options: LogdnaOptions, context: DestinationContext) {
    this.id = context.id;
    this.#context = context;
    this.#app = compileTemplate(options.app, `destinations.${context.id}.app`);
    this.#tags = compileTagSet(options.tags, `destinations.${context.id}.tags`, sanitizeLogdnaTag);
    this.#oversize = options.oversize;
    this.#healthcheck = options.healthcheck;
    this.limits = {
      maxEvents: LOGDNA_MAX_BATCH_LINES,
      // Sizes count one "," per line; the body adds the envelope and has one comma fewer.
      maxBytes: options.max_batch_bytes - LINES_ENVELOPE_BYTES + 1,
      flushIntervalMs: options.flush_interval,
      concurrency: options.concurrency,
    };
    this.#service = new LogdnaService({
      destination: context.id,
      endpoint: options.endpoint,
      key: options.key,
      gzip: options.gzip,
      timeoutMs: options.request_timeout,
      maxSockets: options.concurrency,
      logger: context.logger,
    });
  }

  async start(): Promise<void> {
    if (!this.#healthcheck) return;
    await this.#service.healthcheck(this.#context.host);
    this.#context.logger.info({ destination: this.id }, 'Mezmo ingest API answered the start-up healthcheck');
  }

  key(record: LogRecord): string {
    return `${record.source.host}${KEY_SEPARATOR}${this.#tags(record)}`;
  }

  encode(record: LogRecord): Array<Encoded<string>> {
    return encodeLogdnaLine(record, this.#app(record), this.#oversize);
  }

  async send(key: string, lines: LineBatch | readonly string[], signal: AbortSignal): Promise<SendResult> {
    const cut = key.indexOf(KEY_SEPARATOR);
    const host = (cut < 0 ? key : key.slice(0, cut)) || this.#context.host;
    const tags = cut < 0 ? '' : key.slice(cut + 1);
    const batch = lines instanceof LineBatch ? lines : LineBatch.of(lines);
    try {
      return await this.#service.send(host, tags, batch, signal);
    } finally {
      if (batch !== lines) batch.release();
    }
  }

  classify(error: unknown): FailureAction {
    return classifyLogdnaFailure(error);
  }

  async close(): Promise<void> {
    this.#service.close();
  }
}
