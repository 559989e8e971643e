// The one small interface every destination adapter implements; the pipeline owns batching, retries and acks.
import type { z } from 'zod';
import type { LogRecord } from '../model/log-record.ts';
import type { Logger } from '../selflog/logger.ts';

/** One record in a destination's wire form, with what it counts against the batch limits. */
export interface Encoded<E> {
  data: E;
  /** Bytes this event counts against BatchLimits.maxBytes, per-event overhead included. */
  size: number;
  /** Milliseconds since the epoch; batches are kept within BatchLimits.maxSpanMs. */
  time: number;
}

export interface BatchLimits {
  /** Most events in one request. */
  maxEvents: number;
  /** Most bytes (sum of Encoded.size) in one request. */
  maxBytes: number;
  /** Widest time span between the oldest and newest event of one request (CloudWatch: 24 h). */
  maxSpanMs?: number;
  /** A non-empty batch is sent at the latest this long after its first event arrived. */
  flushIntervalMs: number;
  /** Requests in flight at once, across all keys of this destination (one at a time per key). */
  concurrency: number;
}

/** What the destination did with a batch it answered: the rest of the batch counts as accepted. */
export interface SendResult {
  /** Events refused for good (too old, too large...), with the reason; counted and acknowledged. */
  rejected: Array<{ count: number; reason: string }>;
}
export const ALL_ACCEPTED: SendResult = Object.freeze({ rejected: [] }) as SendResult;

/**
 * What to do about a failed send. The adapter only classifies (a pure function of the error); the
 * pipeline owns backoff. `retry`: same batch again later; `reject`: the batch is refused for good (counted,
 * logged with the reason, acknowledged); `fatal`: the destination cannot work (bad credentials) and stops.
 */
export type FailureAction =
  | { action: 'retry'; reason: string; retryAfterMs?: number }
  | { action: 'reject'; reason: string }
  | { action: 'fatal'; reason: string };

/**
 * How a destination keeps a batch when not as an array of its events: for example as the request body's bytes,
 * written as each event is added, outside the JS heap. send() then gets the batch as it keeps it.
 */
export interface BatchStore<E, B> {
  create(): B;
  add(batch: B, event: Encoded<E>): void;
  /** The batch is done for good (answered, or refused for good) and never sent again: its memory may be reused. */
  release?(batch: B): void;
}

export interface Destination<E = unknown, B = unknown> {
  /** Unique among the configured destinations; names the checkpoint file and the metrics label. */
  readonly id: string;
  readonly type: string;
  readonly limits: BatchLimits;
  /** Start-up healthcheck: throws a DestinationError saying what is wrong (credentials, endpoint, token). */
  start(): Promise<void>;
  /** Batch partition: records with one key are batched together and sent in order (e.g. group + stream). */
  key(record: LogRecord): string;
  /** The record in wire form: usually one event, more when it is split to fit the per-event limit. */
  encode(record: LogRecord): Array<Encoded<E>>;
  /** How a batch is kept; without one, as an array of the events. */
  readonly batches?: BatchStore<E, B>;
  /**
   * Send one batch of one key: an array of the events (`B` is then E[]), or the batch as `batches` keeps it.
   * Resolves with what was refused for good; throws on failure.
   */
  send(key: string, events: B, signal: AbortSignal): Promise<SendResult>;
  /** Which failures of send() are worth retrying. */
  classify(error: unknown): FailureAction;
  /** Release connections; called once after the last send. */
  close(): Promise<void>;
}

/** What a destination is given when it is created. */
export interface DestinationContext {
  /** The destination's id (see Destination.id). */
  id: string;
  /** This host's name, for destinations that send it (LogDNA's hostname). */
  host: string;
  /** The daemon's self-logger, already bound with the destination id. Never log a secret through it. */
  logger: Logger;
}

/**
 * What the configuration needs to know of a destination type, cheap to load (zod only): its options schema
 * (a strict zod object with `type: z.literal(<type>)` and the common keys from `destinationBaseShape`) and
 * the option keys that hold secrets (masked by `journal-fanout check`, never logged). Each adapter exports
 * one from its config.ts.
 */
export interface DestinationDescriptor<O extends { type: string } = { type: string }> {
  readonly type: O['type'];
  readonly schema: z.ZodType<O>;
  readonly secretKeys: readonly string[];
}

/** What each adapters/<type>/index.ts exports as its default: the descriptor and the factory. */
export interface DestinationModule<O extends { type: string } = { type: string }> extends DestinationDescriptor<O> {
  create(options: O, context: DestinationContext): Destination;
}
