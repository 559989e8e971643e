// A record as one Fluent forward Entry, `[EventTime, record]` in msgpack, ready to join a PackedForward stream.
import { Encoder } from '@msgpack/msgpack';
import type { LogRecord } from '../../src/model/log-record.ts';
import { recordToEcsLogsEvent, type EcsLogsEvent } from '../../src/normalize/encode.ts';
import type { Encoded } from '../../src/pipeline/destination.ts';
import type { OversizeMode } from '../http/oversize.ts';

/**
 * EventTime (Forward Protocol v1, "EventTime Ext Format"): ext type 0 as fixext8 (0xd7 0x00), seconds and
 * nanoseconds since the epoch as big-endian uint32 each. An Entry is a 2-array (0x92) of it and the record.
 */
const FIXARRAY_2 = 0x92;
const FIXEXT_8 = 0xd7;
const EVENT_TIME_EXT_TYPE = 0x00;
const ENTRY_HEAD_BYTES = 11;
const MAX_UINT32 = 0xffff_ffff;

/** Bytes kept free in each piece of an oversized message for its marker and the longer string header. */
const MARKER_RESERVE_BYTES = 64;

/** One encoder for the process: encode() copies out of its buffer, so entries never share memory. */
const encoder = new Encoder({ ignoreUndefined: true });

/**
 * Seconds and nanoseconds of a time in (possibly fractional) milliseconds, within what uint32 seconds can say.
 * Rounded to the microsecond: a double of milliseconds since 1970 holds no finer (about 0.2 µs today), and the
 * journal's own timestamps are microseconds.
 */
export function eventTime(ms: number): { sec: number; nsec: number } {
  if (!Number.isFinite(ms) || ms <= 0) return { sec: 0, nsec: 0 };
  let sec = Math.floor(ms / 1000);
  let nsec = Math.round((ms - sec * 1000) * 1000) * 1000;
  if (nsec >= 1_000_000_000) {
    sec++;
    nsec -= 1_000_000_000;
  }
  if (sec > MAX_UINT32) return { sec: MAX_UINT32, nsec: 0 };
  return { sec, nsec };
}

/** `[EventTime, event]` as msgpack bytes. */
export function encodeEntry(ms: number, event: EcsLogsEvent): Buffer {
  const body = encoder.encodeSharedRef(event);
  const out = Buffer.allocUnsafe(ENTRY_HEAD_BYTES + body.length);
  const { sec, nsec } = eventTime(ms);
  out[0] = FIXARRAY_2;
  out[1] = FIXEXT_8;
  out[2] = EVENT_TIME_EXT_TYPE;
  out.writeUInt32BE(sec, 3);
  out.writeUInt32BE(nsec, 7);
  out.set(body, ENTRY_HEAD_BYTES);
  return out;
}

/** The byte offset <= `at` that starts a UTF-8 character (a continuation byte is 0b10xxxxxx). */
function utf8Boundary(bytes: Buffer, at: number): number {
  let i = Math.min(at, bytes.length);
  while (i > 0 && i < bytes.length && (bytes[i]! & 0xc0) === 0x80) i--;
  return i;
}

const entry = (record: LogRecord, data: Buffer): Encoded<Buffer> => ({ data, size: data.length, time: record.time });

/**
 * The record's entries: one, or several when its entry would be over `maxBytes` (max_batch_bytes: a message
 * over a receiver's buffer is refused whole, and would be retried forever). The message is then split into
 * pieces marked "[journal-fanout part i/n]" (fields ride in the first), or cut and marked
 * "[journal-fanout truncated N bytes]". Fields too large to ride along move into the message text, so
 * nothing is dropped silently.
 */
export function encodeRecordEntries(record: LogRecord, maxBytes: number, oversize: OversizeMode): Array<Encoded<Buffer>> {
  const event = recordToEcsLogsEvent(record);
  const whole = encodeEntry(record.time, event);
  if (whole.length <= maxBytes) return [entry(record, whole)];

  let text = record.message;
  let fields = record.fields;
  const withMessage = (message: string, withFields: boolean): EcsLogsEvent => ({
    ...event,
    message,
    data: { ...event.data, fields: withFields ? fields : {} },
  });
  if (encodeEntry(record.time, withMessage('', true)).length > maxBytes / 2) {
    text = `${record.message}\n[journal-fanout fields] ${JSON.stringify(record.fields)}`;
    fields = {};
  }
  const bytes = Buffer.from(text, 'utf8');
  const overhead = encodeEntry(record.time, withMessage('', true)).length;
  const budget = Math.max(1, maxBytes - overhead - MARKER_RESERVE_BYTES);

  if (oversize === 'truncate') {
    const end = utf8Boundary(bytes, budget);
    const message = `${bytes.subarray(0, end).toString('utf8')} [journal-fanout truncated ${bytes.length - end} bytes]`;
    return [entry(record, encodeEntry(record.time, withMessage(message, true)))];
  }
  const pieces: Buffer[] = [];
  for (let start = 0; start < bytes.length; ) {
    let end = utf8Boundary(bytes, start + budget);
    if (end <= start) end = Math.min(start + budget, bytes.length);
    pieces.push(bytes.subarray(start, end));
    start = end;
  }
  return pieces.map((piece, i) =>
    entry(record, encodeEntry(record.time, withMessage(`${piece.toString('utf8')} [journal-fanout part ${i + 1}/${pieces.length}]`, i === 0))),
  );
}
