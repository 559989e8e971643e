// The CloudWatch Logs destination: one stream per key (group + stream), batches sent through the service.
import type { RejectedLogEventsInfo } from '@aws-sdk/client-cloudwatch-logs';
import type { LogRecord, RecordSource } from '../../src/model/log-record.ts';
import { compileTemplate, type CompiledTemplate } from '../../src/normalize/template.ts';
import type { BatchLimits, BatchStore, Destination, DestinationContext, FailureAction, SendResult } from '../../src/pipeline/destination.ts';
import type { CloudWatchOptions } from './config.ts';
import { cachedSanitizer, sanitizeGroupName, sanitizeStreamName } from './names.ts';
import { EventBatch } from './event-batch.ts';
import { encodeRecord, MAX_BATCH_BYTES, type EncodedLogEvent, MAX_BATCH_EVENTS, MAX_BATCH_SPAN_MS, type LogEvent, type MessageFormat } from './request-builder.ts';
import type { OversizeMode } from '../http/oversize.ts';
import { classify } from './retry.ts';
import { CloudWatchLogsService } from './service.ts';

/** Neither a valid group nor a valid stream name holds ':', so the key splits back unambiguously. */
const KEY_SEPARATOR = ':';

/** Why the service refused events of an accepted request, by its rejectedLogEventsInfo field. */
export const REJECT_REASONS = {
  tooNew: 'CloudWatch Logs rejected events more than 2 hours in the future',
  tooOld: 'CloudWatch Logs rejected events older than 14 days',
  expired: "CloudWatch Logs rejected events older than the log group's retention",
} as const;

/** Counts per reason from one response; the too-old and expired ranges both start at index 0 and overlap. */
export function rejectedCounts(info: RejectedLogEventsInfo | undefined, eventCount: number): SendResult['rejected'] {
  if (!info) return [];
  const out: SendResult['rejected'] = [];
  const expired = Math.min(info.expiredLogEventEndIndex ?? 0, eventCount);
  const tooOld = Math.max(0, Math.min(info.tooOldLogEventEndIndex ?? 0, eventCount) - expired);
  const tooNew = info.tooNewLogEventStartIndex === undefined ? 0 : Math.max(0, eventCount - Math.max(info.tooNewLogEventStartIndex, expired + tooOld));
  if (expired > 0) out.push({ count: expired, reason: REJECT_REASONS.expired });
  if (tooOld > 0) out.push({ count: tooOld, reason: REJECT_REASONS.tooOld });
  if (tooNew > 0) out.push({ count: tooNew, reason: REJECT_REASONS.tooNew });
  return out;
}

/** Batches kept as PutLogEvents body bytes (see EventBatch). */
const EVENT_BATCHES: BatchStore<LogEvent, EventBatch> = {
  create: () => new EventBatch(),
  add: (batch, event: EncodedLogEvent) => batch.add(event.data, event.size, event.record),
  release: (batch) => batch.release(),
};

export class CloudWatchDestination implements Destination<LogEvent, EventBatch | readonly LogEvent[]> {
  readonly type = 'cloudwatch';
  readonly id: string;
  readonly limits: BatchLimits;
  readonly batches = EVENT_BATCHES;
  readonly service: CloudWatchLogsService;
  readonly #group: CompiledTemplate;
  readonly #stream: CompiledTemplate;
  readonly #groupName = cachedSanitizer(sanitizeGroupName);
  readonly #streamName = cachedSanitizer(sanitizeStreamName);
  readonly #format: MessageFormat;
  readonly #oversize: OversizeMode;
  readonly #healthcheck: boolean;
  /**
   * Keys by source object, when neither template reads `{fields.X}` (the names then depend on the source
   * alone): the normalizer shares one source object among a container's records, so the names are rendered and looked up once per container, and every record
   * of a stream hands the runner the same key string (whose hash the engine then keeps).
   */
  readonly #keys: WeakMap<RecordSource, string> | undefined;

  constructor(options: CloudWatchOptions, context: DestinationContext) {
    this.id = context.id;
    this.#group = compileTemplate(options.group, `destination ${context.id}: group`);
    this.#stream = compileTemplate(options.stream, `destination ${context.id}: stream`);
    this.#format = options.message_format;
    this.#oversize = options.oversize;
    this.#healthcheck = options.healthcheck;
    this.#keys = this.#group.usesFields || this.#stream.usesFields ? undefined : new WeakMap();
    this.limits = {
      maxEvents: MAX_BATCH_EVENTS,
      maxBytes: MAX_BATCH_BYTES,
      maxSpanMs: MAX_BATCH_SPAN_MS,
      flushIntervalMs: options.flush_interval,
      concurrency: options.concurrency,
    };
    this.service = new CloudWatchLogsService({
      id: context.id,
      region: options.region,
      endpoint: options.endpoint,
      requestTimeoutMs: options.request_timeout,
      concurrency: options.concurrency,
      create: options.create,
      retentionDays: options.retention_days,
      tags: options.tags,
      logger: context.logger,
    });
  }

  async start(): Promise<void> {
    if (this.#healthcheck) await this.service.healthcheck();
  }

  key(record: LogRecord): string {
    // Only containers' sources are shared among records; others are made per entry and would only fill the map.
    const keys = record.source.container !== undefined ? this.#keys : undefined;
    let key = keys?.get(record.source);
    if (key === undefined) {
      key = this.#groupName(this.#group(record)) + KEY_SEPARATOR + this.#streamName(this.#stream(record));
      keys?.set(record.source, key);
    }
    return key;
  }

  encode(record: LogRecord): EncodedLogEvent[] {
    return encodeRecord(record, this.#format, this.#oversize);
  }

  /** One PutLogEvents when the batch keeps the limits (it should); more, in order, when it does not. */
  async send(key: string, events: EventBatch | readonly LogEvent[], signal: AbortSignal): Promise<SendResult> {
    const at = key.indexOf(KEY_SEPARATOR);
    const group = key.slice(0, at);
    const stream = key.slice(at + 1);
    const batch = events instanceof EventBatch ? events : EventBatch.of(events);
    const rejected: SendResult['rejected'] = [];
    try {
      for (const request of batch.bodies(group, stream)) {
        const info = await this.service.put(group, stream, request.body, signal);
        rejected.push(...rejectedCounts(info, request.events));
      }
    } finally {
      // A batch made here from an array is this call's alone: its segments go back (the bodies are copies).
      if (batch !== events) batch.release();
    }
    return { rejected };
  }

  classify(error: unknown): FailureAction {
    return classify(error);
  }

  async close(): Promise<void> {
    this.service.close();
  }
}
