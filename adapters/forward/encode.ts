// A record as one Fluent forward Entry, `[EventTime, record]` in msgpack, ready to join a PackedForward stream.
// The record is the ecs-logs event every JSON destination sends (src/normalize/encode.ts), as a msgpack map.
import { Encoder } from '@msgpack/msgpack';
import type { LogRecord, RecordSource } from '../../src/model/log-record.ts';
import { ECS_LOGS_LEVELS, ecsLogsSourceParts, isoTime } from '../../src/normalize/encode.ts';
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
/** The record map: level, time, message, info, data. */
const FIXMAP_5 = 0x85;

/** Bytes kept free in each piece of an oversized message for its marker and the longer string header. */
const MARKER_RESERVE_BYTES = 64;

const encoder = new Encoder({ ignoreUndefined: true });
const bytesOf = (value: unknown): Buffer => Buffer.from(encodeWellFormed(value));

/**
 * True when msgpack bytes may hold a UTF-16 surrogate written as 3 bytes (ED A0..BF xx): @msgpack/msgpack writes a
 * lone surrogate that way in short strings, which is not UTF-8, and a receiver that checks (Vector's Rust
 * decoder) would refuse the whole message, every retry. JSON.parse makes such strings from a log line's "\ud800".
 * A false alarm (0xED inside a number) only costs the slow path.
 */
function mayHoldSurrogates(bytes: Uint8Array): boolean {
  for (let i = bytes.indexOf(0xed); i !== -1; i = bytes.indexOf(0xed, i + 1)) {
    const next = bytes[i + 1];
    if (next !== undefined && next >= 0xa0 && next <= 0xbf) return true;
  }
  return false;
}

/** The value with every string (keys too) made well-formed: a lone surrogate becomes U+FFFD. */
function wellFormed(value: unknown): unknown {
  if (typeof value === 'string') return value.toWellFormed();
  if (Array.isArray(value)) return value.map(wellFormed);
  if (value !== null && typeof value === 'object' && !(value instanceof Uint8Array)) {
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(value)) Object.defineProperty(out, k.toWellFormed(), { value: wellFormed(v), enumerable: true, writable: true, configurable: true });
    return out;
  }
  return value;
}

/** msgpack bytes of a value, its strings valid UTF-8; a view of the encoder's buffer (copy it before the next encode). */
function encodeWellFormed(value: unknown): Uint8Array {
  const bytes = encoder.encodeSharedRef(value);
  return mayHoldSurrogates(bytes) ? encoder.encodeSharedRef(wellFormed(value)) : bytes;
}

/** Keys and level values, encoded once. */
const KEY_LEVEL = bytesOf('level');
const KEY_TIME = bytesOf('time');
const KEY_MESSAGE = bytesOf('message');
const KEY_INFO = bytesOf('info');
const KEY_DATA = bytesOf('data');
const KEY_FIELDS = bytesOf('fields');
const LEVEL_VALUES = new Map(Object.entries(ECS_LOGS_LEVELS).map(([level, name]) => [level, bytesOf(name)]));
const LEVEL_INFO = bytesOf('INFO');
const EMPTY_MAP = Buffer.from([0x80]);

/**
 * The source's part of every record, encoded once per source object (the normalizer shares one per container):
 * the `info` map, and the `data` map's source pairs with their count. Measured on 200,000 sample records of 20
 * services with short messages (one core of the shared 2-core machine, Node 24): about 150,000 records/s
 * encoding the event object whole with @msgpack/msgpack, about 550,000/s building the map by hand around these
 * parts (recordToJsonLine: about 1,400,000/s). `node bench/forward.bench.ts` compares the two encodings.
 */
interface SourceBytes {
  info: Buffer;
  dataTail: Buffer;
  dataTailCount: number;
}
const sourceBytes = new WeakMap<RecordSource, SourceBytes>();

function sourceBytesOf(source: RecordSource): SourceBytes {
  let parts = sourceBytes.get(source);
  if (parts) return parts;
  const { info, dataTail } = ecsLogsSourceParts(source);
  const keys = Object.keys(dataTail);
  parts = { info: bytesOf(info), dataTail: Buffer.concat(keys.flatMap((k) => [bytesOf(k), bytesOf(dataTail[k])])), dataTailCount: keys.length };
  sourceBytes.set(source, parts);
  return parts;
}

/** Length of a msgpack str header for `bytes` bytes of UTF-8. */
const strHeaderLength = (bytes: number): number => (bytes < 32 ? 1 : bytes < 0x100 ? 2 : bytes < 0x1_0000 ? 3 : 5);

function writeStr(out: Buffer, at: number, text: string, bytes: number): number {
  if (bytes < 32) out[at++] = 0xa0 | bytes;
  else if (bytes < 0x100) {
    out[at++] = 0xd9;
    out[at++] = bytes;
  } else if (bytes < 0x1_0000) {
    out[at++] = 0xda;
    out.writeUInt16BE(bytes, at);
    at += 2;
  } else {
    out[at++] = 0xdb;
    out.writeUInt32BE(bytes, at);
    at += 4;
  }
  return at + out.write(text, at, bytes, 'utf8');
}

function mapHeaderLength(count: number): number {
  return count < 16 ? 1 : count < 0x1_0000 ? 3 : 5;
}

function writeMapHeader(out: Buffer, at: number, count: number): number {
  if (count < 16) {
    out[at] = 0x80 | count;
    return at + 1;
  }
  if (count < 0x1_0000) {
    out[at] = 0xde;
    out.writeUInt16BE(count, at + 1);
    return at + 3;
  }
  out[at] = 0xdf;
  out.writeUInt32BE(count, at + 1);
  return at + 5;
}

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

/**
 * `[EventTime, {level, time, message, info, data: {fields, ...source}}]` as msgpack bytes: the keys, values and
 * order of recordToJsonLine's event (a test decodes one and compares it with the other).
 */
export function encodeEntry(record: LogRecord, message: string, fields: Record<string, unknown>): Buffer {
  const source = sourceBytesOf(record.source);
  const level = LEVEL_VALUES.get(record.level) ?? LEVEL_INFO;
  const time = isoTime(record.time);
  // Buffer.byteLength and write() treat a lone surrogate as U+FFFD (3 bytes) alike: the message is always UTF-8.
  const messageBytes = Buffer.byteLength(message);
  // encodeSharedRef: a view of the encoder's buffer, copied into `out` before the encoder is used again.
  // Copies are TypedArray.set: Buffer#copy's argument checks cost more than the copy of these few bytes.
  let fieldBytes: Uint8Array = EMPTY_MAP;
  for (const _ in fields) {
    fieldBytes = encodeWellFormed(fields);
    break;
  }
  const dataCount = 1 + source.dataTailCount;
  const length =
    ENTRY_HEAD_BYTES + 1 +
    KEY_LEVEL.length + level.length +
    KEY_TIME.length + 1 + time.length +
    KEY_MESSAGE.length + strHeaderLength(messageBytes) + messageBytes +
    KEY_INFO.length + source.info.length +
    KEY_DATA.length + mapHeaderLength(dataCount) + KEY_FIELDS.length + fieldBytes.length + source.dataTail.length;
  const out = Buffer.allocUnsafe(length);
  const { sec, nsec } = eventTime(record.time);
  out[0] = FIXARRAY_2;
  out[1] = FIXEXT_8;
  out[2] = EVENT_TIME_EXT_TYPE;
  out.writeUInt32BE(sec, 3);
  out.writeUInt32BE(nsec, 7);
  let at = ENTRY_HEAD_BYTES;
  out[at++] = FIXMAP_5;
  out.set(KEY_LEVEL, at);
  at += KEY_LEVEL.length;
  out.set(level, at);
  at += level.length;
  out.set(KEY_TIME, at);
  at += KEY_TIME.length;
  at = writeStr(out, at, time, time.length);
  out.set(KEY_MESSAGE, at);
  at += KEY_MESSAGE.length;
  at = writeStr(out, at, message, messageBytes);
  out.set(KEY_INFO, at);
  at += KEY_INFO.length;
  out.set(source.info, at);
  at += source.info.length;
  out.set(KEY_DATA, at);
  at += KEY_DATA.length;
  at = writeMapHeader(out, at, dataCount);
  out.set(KEY_FIELDS, at);
  at += KEY_FIELDS.length;
  out.set(fieldBytes, at);
  at += fieldBytes.length;
  out.set(source.dataTail, at);
  return out;
}

/** The byte offset <= `at` that starts a UTF-8 character (a continuation byte is 0b10xxxxxx). */
function utf8Boundary(bytes: Buffer, at: number): number {
  let i = Math.min(at, bytes.length);
  while (i > 0 && i < bytes.length && (bytes[i]! & 0xc0) === 0x80) i--;
  return i;
}

const entry = (record: LogRecord, data: Buffer): Encoded<Buffer> => ({ data, size: data.length, time: record.time });
const NO_FIELDS: Record<string, unknown> = Object.freeze({}) as Record<string, unknown>;

/**
 * The record's entries: one, or several when its entry would be over `maxBytes` (max_batch_bytes: a message
 * over a receiver's buffer is refused whole, and would be retried forever). The message is then split into
 * pieces marked "[journal-fanout part i/n]" (fields ride in the first), or cut and marked
 * "[journal-fanout truncated N bytes]". Fields too large to ride along move into the message text, so
 * nothing is dropped silently.
 */
export function encodeRecordEntries(record: LogRecord, maxBytes: number, oversize: OversizeMode): Array<Encoded<Buffer>> {
  const whole = encodeEntry(record, record.message, record.fields);
  if (whole.length <= maxBytes) return [entry(record, whole)];

  let text = record.message;
  let fields = record.fields;
  if (encodeEntry(record, '', fields).length > maxBytes / 2) {
    text = `${record.message}\n[journal-fanout fields] ${JSON.stringify(record.fields)}`;
    fields = NO_FIELDS;
  }
  const bytes = Buffer.from(text, 'utf8');
  const overhead = encodeEntry(record, '', fields).length;
  const budget = Math.max(1, maxBytes - overhead - MARKER_RESERVE_BYTES);

  if (oversize === 'truncate') {
    const end = utf8Boundary(bytes, budget);
    const message = `${bytes.subarray(0, end).toString('utf8')} [journal-fanout truncated ${bytes.length - end} bytes]`;
    return [entry(record, encodeEntry(record, message, fields))];
  }
  const pieces: Buffer[] = [];
  for (let start = 0; start < bytes.length; ) {
    let end = utf8Boundary(bytes, start + budget);
    if (end <= start) end = Math.min(start + budget, bytes.length);
    pieces.push(bytes.subarray(start, end));
    start = end;
  }
  return pieces.map((piece, i) => entry(record, encodeEntry(record, `${piece.toString('utf8')} [journal-fanout part ${i + 1}/${pieces.length}]`, i === 0 ? fields : NO_FIELDS)));
}
