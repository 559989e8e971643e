// Records -> PutLogEvents events (sized as the service counts them), and batches -> valid requests.
import type { LogRecord } from '../../src/model/log-record.ts';
import { jsonLineBytes, recordToJsonLine } from '../../src/normalize/encode.ts';
import type { Encoded } from '../../src/pipeline/destination.ts';
import { type OversizeMode, utf8Boundary, utf8Pieces } from '../http/oversize.ts';

/** Limits of one PutLogEvents request (API reference, PutLogEvents). */
export const MAX_BATCH_EVENTS = 10_000;
export const MAX_BATCH_BYTES = 1_048_576;
/** Each event counts its UTF-8 message bytes plus this overhead against MAX_BATCH_BYTES. */
export const EVENT_OVERHEAD_BYTES = 26;
/** One event, overhead included, is at most 1 MiB (service quota since 2025; before that 256 KiB). */
export const MAX_EVENT_BYTES = 1_048_576;
export const MAX_EVENT_MESSAGE_BYTES = MAX_EVENT_BYTES - EVENT_OVERHEAD_BYTES;
/** Oldest to newest event of one request. */
export const MAX_BATCH_SPAN_MS = 24 * 3_600_000;

/** Bytes kept free in each piece of an oversized message for its marker. */
const MARKER_RESERVE_BYTES = 64;
/** Sent in place of an empty message: the service refuses empty ones, and the record is not dropped. */
export const EMPTY_MESSAGE = '(empty message)';

export interface LogEvent {
  timestamp: number;
  message: string;
}

/**
 * An event as the encoder hands it on. `record`, when the message is that record's json line
 * (recordToJsonLine): the batch writes the line's escaped copy from the encoder's parts (writeEscapedJsonLine)
 * rather than escaping the message again.
 */
export interface EncodedLogEvent extends Encoded<LogEvent> {
  record?: LogRecord;
}

export type MessageFormat = 'json' | 'text';

function event(timestamp: number, message: string, bytes: number): Encoded<LogEvent> {
  return { data: { timestamp, message }, size: bytes + EVENT_OVERHEAD_BYTES, time: timestamp };
}

/** Pieces of at most MAX_EVENT_MESSAGE_BYTES, cut at UTF-8 character boundaries, each marked. */
function split(timestamp: number, bytes: Buffer): Array<Encoded<LogEvent>> {
  const pieces = utf8Pieces(bytes, MAX_EVENT_MESSAGE_BYTES - MARKER_RESERVE_BYTES);
  return pieces.map((piece, i) => {
    const message = `[journal-fanout part ${i + 1}/${pieces.length}] ${piece.toString('utf8')}`;
    return event(timestamp, message, Buffer.byteLength(message));
  });
}

function truncate(timestamp: number, bytes: Buffer): Array<Encoded<LogEvent>> {
  const end = utf8Boundary(bytes, MAX_EVENT_MESSAGE_BYTES - MARKER_RESERVE_BYTES);
  const message = `${bytes.subarray(0, end).toString('utf8')} [journal-fanout truncated ${bytes.length - end} bytes]`;
  return [event(timestamp, message, Buffer.byteLength(message))];
}

/** The record's events: one, or several when the message is over the per-event limit and split. */
export function encodeRecord(record: LogRecord, format: MessageFormat, oversize: OversizeMode): EncodedLogEvent[] {
  const timestamp = Math.trunc(record.time);
  if (format === 'json') {
    // The json line, its escaped copy and its length are made once for every destination that sends them;
    // the line itself is left as the engine's rope of its parts, never flattened unless something reads it.
    const length = jsonLineBytes(record);
    if (length <= MAX_EVENT_MESSAGE_BYTES) return [{ data: { timestamp, message: recordToJsonLine(record) }, size: length + EVENT_OVERHEAD_BYTES, time: timestamp, record }];
  }
  let message = format === 'json' ? recordToJsonLine(record) : record.message;
  if (message.length === 0) message = EMPTY_MESSAGE;
  const length = format === 'json' ? jsonLineBytes(record) : Buffer.byteLength(message);
  if (length <= MAX_EVENT_MESSAGE_BYTES) return [event(timestamp, message, length)];
  const bytes = Buffer.from(message, 'utf8');
  return oversize === 'split' ? split(timestamp, bytes) : truncate(timestamp, bytes);
}

/**
 * The JSON 1.1 body of one PutLogEvents, as the SDK's serializer would write it (strings and integers only).
 * Measured: the SDK's schema serializer escapes each message character by character (`writeJsonString`
 * was 8.8% of the daemon's CPU samples and @smithy/core 22% in all, 200,000 entries to CloudWatch);
 * V8's native JSON.stringify writes the same bytes in a fraction of that.
 */
export function putLogEventsBody(group: string, stream: string, events: readonly LogEvent[]): string {
  return JSON.stringify({ logGroupName: group, logStreamName: stream, logEvents: events });
}
