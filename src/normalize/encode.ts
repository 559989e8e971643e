// Record encodings shared by destinations: one JSON line per record in Segment's ecs-logs event shape, or plain text.
import type { Level, LogRecord, RecordSource } from '../model/log-record.ts';

/** ecs-logs level names (github.com/segmentio/ecs-logs-go level.go): syslog severities, `WARN` for warning. */
export const ECS_LOGS_LEVELS: Readonly<Record<Level, string>> = {
  emerg: 'EMERG',
  alert: 'ALERT',
  crit: 'CRIT',
  error: 'ERROR',
  warning: 'WARN',
  notice: 'NOTICE',
  info: 'INFO',
  debug: 'DEBUG',
};

/** The ISO text of the last second formatted, without its milliseconds and `Z` (`2026-11-24T16:52:13.`). */
let cachedSecond = NaN;
let cachedSecondText = '';

/**
 * `new Date(ms).toISOString()`, with the text up to the second made once per second: records come in time
 * order, so nearly every call only appends milliseconds (measured: isoTime was 1.7% of the daemon's CPU
 * samples on a backlog to CloudWatch with a Date per record).
 */
export function isoTime(ms: number): string {
  const whole = Math.floor(ms);
  if (!Number.isFinite(whole) || Math.abs(whole) > 8.64e15) return new Date(0).toISOString();
  const second = Math.floor(whole / 1000);
  if (second !== cachedSecond) {
    const text = new Date(second * 1000).toISOString();
    cachedSecondText = text.slice(0, text.length - 4);
    cachedSecond = second;
  }
  const milli = whole - second * 1000;
  return cachedSecondText + (milli < 10 ? '00' : milli < 100 ? '0' : '') + milli + 'Z';
}

/**
 * What is known of the record last encoded as a JSON line: the pipeline hands each record to every destination
 * in turn, so destinations of one format (CloudWatch's json messages, stdout's json lines, several CloudWatch
 * destinations) encode it once between them. Records are not changed once built. Each part is made when first
 * asked for: a CloudWatch destination alone never builds the line, only its escaped copy and its length.
 */
let lineRecord: LogRecord | undefined;
/** JSON.stringify(lineRecord.fields). */
let fieldsText = '';
let line: string | undefined;
let escapedLine: string | undefined;
let lineBytes = -1;
/** JSON.stringify(messageJson(lineRecord)) and JSON.stringify(fieldsText): the escaped parts with their quotes. */
let quotedMessage: string | undefined;
let quotedFields: string | undefined;
let messageRecord: LogRecord | undefined;
let messageText = '';

/** JSON.stringify(record.message), made once per record for every JSON format that carries it. */
export function messageJson(record: LogRecord): string {
  if (record !== messageRecord) {
    messageText = JSON.stringify(record.message);
    messageRecord = record;
  }
  return messageText;
}

function lineFor(record: LogRecord): void {
  if (record === lineRecord) return;
  fieldsText = JSON.stringify(record.fields);
  line = undefined;
  escapedLine = undefined;
  lineBytes = -1;
  quotedMessage = undefined;
  quotedFields = undefined;
  lineRecord = record;
}

/**
 * The record as one ecs-logs event (no cursor or sequence numbers: those are the daemon's business):
 * `{"level":"INFO","time":"...","message":"...","info":{"host","source","id","pid"},"data":{"fields",
 * "service","stream","container","unit","identifier","ecs"}}`. `info.source` is the container name (else the
 * systemd unit, else the syslog identifier), `info.id` the container ID; absent values are left out. Built by hand, as pino does:
 * JSON.stringify only for the parts whose shape is not known.
 */
export function recordToJsonLine(record: LogRecord): string {
  lineFor(record);
  if (line === undefined) {
    const parts = sourceParts(record.source);
    line = '{"level":"' + (ECS_LOGS_LEVELS[record.level] ?? 'INFO') + '","time":"' + isoTime(record.time) + '","message":' + messageJson(record) + parts.info + fieldsText + parts.dataTail;
  }
  return line;
}

/**
 * recordToJsonLine(record) as the text of a JSON string, without its quotes: what JSON.stringify(line).slice(1, -1)
 * gives, for CloudWatch's json messages (a JSON line inside the request's JSON). Written in one pass from parts
 * escaped once: the source's (a third to a half of a line) once per source object, the message's and fields'
 * JSON once per record. Escaping a JSON text as a string only puts a backslash before each `"` and `\` (JSON.stringify leaves no
 * control character or lone surrogate in it), so the parts escape apart as the whole would. Measured
 * (bench/record-path.bench.ts): key, encoding and batch for CloudWatch went from 13.5-13.7 to 11.7-11.8 us per entry; writing the line, then
 * escaping it whole, made and copied each line's text three times.
 */
export function escapedJsonLine(record: LogRecord): string {
  lineFor(record);
  if (escapedLine === undefined) {
    const parts = sourceParts(record.source);
    escapedLine =
      '{\\"level\\":\\"' + (ECS_LOGS_LEVELS[record.level] ?? 'INFO') + '\\",\\"time\\":\\"' + isoTime(record.time) + '\\",\\"message\\":' +
      escapeJson(messageJson(record)) + parts.escapedInfo + escapeJson(fieldsText) + parts.escapedDataTail;
  }
  return escapedLine;
}

/** A JSON text as the content of a JSON string (see escapedJsonLine). */
function escapeJson(json: string): string {
  return JSON.stringify(json).slice(1, -1);
}

/** `{\"level\":\"INFO\",\"time\":\"` by level: the escaped line's head up to its time. */
const ESCAPED_HEADS = Object.fromEntries(Object.entries(ECS_LOGS_LEVELS).map(([level, name]) => [level, `{\\"level\\":\\"${name}\\",\\"time\\":\\"`])) as Record<Level, string>;
const ESCAPED_TIME_TO_MESSAGE = '\\",\\"message\\":';

/**
 * Room writeEscapedJsonLine(record, ...) needs: escaping only puts a backslash before a `"` or `\`, so the
 * escaped line is at most twice the line's bytes.
 */
export function escapedJsonLineRoom(record: LogRecord): number {
  return 2 * jsonLineBytes(record);
}

/**
 * The exact UTF-8 bytes writeEscapedJsonLine(record, ...) writes (its room is one byte more, see
 * writeQuotedContent: covered by the parts after each quoted one): counted from the same parts, for a caller
 * whose room for the bound (escapedJsonLineRoom) is short.
 */
export function escapedJsonLineBytes(record: LogRecord): number {
  lineFor(record);
  const parts = sourceParts(record.source);
  quotedMessage ??= JSON.stringify(messageJson(record));
  quotedFields ??= JSON.stringify(fieldsText);
  // The head is ASCII; each quoted part is written without its two quotes.
  const head = (ESCAPED_HEADS[record.level] ?? ESCAPED_HEADS.info).length + isoTime(record.time).length + ESCAPED_TIME_TO_MESSAGE.length;
  return head + Buffer.byteLength(quotedMessage) - 2 + Buffer.byteLength(parts.escapedInfo) + Buffer.byteLength(quotedFields) - 2 + Buffer.byteLength(parts.escapedDataTail);
}

/**
 * escapedJsonLine(record) written as UTF-8 into `bytes` from `at`, which has at least escapedJsonLineBytes(record)
 * bytes of room (escapedJsonLineRoom is a bound that costs nothing to count); returns where it ends. The same parts, never joined into one string: the head is ASCII (a latin1
 * write), the source's escaped parts are made once per source, the message's and fields' JSON are
 * escaped straight into the buffer (writeEscaped). Measured (bench/record-path.bench.ts, sampling heap
 * profile): the escaped line as a string, then joined with the event's prefix and flattened by the batch's
 * write, allocated about 1.9 KB per entry, the largest share of the path's garbage.
 */
export function writeEscapedJsonLine(record: LogRecord, bytes: Buffer, at: number): number {
  lineFor(record);
  const parts = sourceParts(record.source);
  at += bytes.write((ESCAPED_HEADS[record.level] ?? ESCAPED_HEADS.info) + isoTime(record.time) + ESCAPED_TIME_TO_MESSAGE, at, 'latin1');
  // Quoted once per record for every CloudWatch destination that writes it.
  quotedMessage ??= JSON.stringify(messageJson(record));
  at = writeQuotedContent(bytes, at, quotedMessage);
  at += bytes.write(parts.escapedInfo, at, 'utf8');
  quotedFields ??= JSON.stringify(fieldsText);
  at = writeQuotedContent(bytes, at, quotedFields);
  return at + bytes.write(parts.escapedDataTail, at, 'utf8');
}

/**
 * The content of a JSON string (`quoted`, quotes included) written as UTF-8 at `at`, without slicing off its
 * quotes: it is written one byte early, over the byte before `at`, which is put back; its closing quote (one
 * byte) is left after the end, where the caller's next part is written over it (so the room needed is the
 * content's and one byte).
 */
function writeQuotedContent(bytes: Buffer, at: number, quoted: string): number {
  const before = bytes[at - 1]!;
  const written = bytes.write(quoted, at - 1, 'utf8');
  bytes[at - 1] = before;
  return at - 2 + written;
}

/** UTF-8 bytes of recordToJsonLine(record), counted once per record, from its parts (the line need not be built). */
export function jsonLineBytes(record: LogRecord): number {
  lineFor(record);
  if (lineBytes < 0) {
    const parts = sourceParts(record.source);
    // Level names and ISO times are ASCII: a character is a byte.
    const head = '{"level":"'.length + (ECS_LOGS_LEVELS[record.level] ?? 'INFO').length + '","time":"'.length + isoTime(record.time).length + '","message":'.length;
    lineBytes = head + Buffer.byteLength(messageJson(record)) + parts.infoBytes + Buffer.byteLength(fieldsText) + parts.dataTailBytes;
  }
  return lineBytes;
}

/**
 * The JSON of a source, built once per source object: the normalizer shares one source object among all
 * records of a container, so this work leaves the per-record path (measured: recordToJsonLine was 7.5% of
 * the daemon's CPU samples, most of it these parts). Sources are never mutated after they are built.
 * `info`: from `,"info":` to `"fields":`; `dataTail`: after the fields, to the line's end.
 */
interface SourceJson {
  info: string;
  dataTail: string;
  escapedInfo: string;
  escapedDataTail: string;
  infoBytes: number;
  dataTailBytes: number;
}

const sourceJson = new WeakMap<RecordSource, SourceJson>();

function sourceParts(s: RecordSource): SourceJson {
  let parts = sourceJson.get(s);
  if (parts) return parts;
  const objects = ecsLogsSourceParts(s);
  const info = ',"info":' + JSON.stringify(objects.info) + ',"data":{"fields":';
  // The data tail continues the `data` object after its fields: its own opening `{` becomes a `,`.
  const dataTail = ',' + JSON.stringify(objects.dataTail).slice(1) + '}';
  parts = {
    info,
    dataTail,
    escapedInfo: escapeJson(info),
    escapedDataTail: escapeJson(dataTail),
    infoBytes: Buffer.byteLength(info),
    dataTailBytes: Buffer.byteLength(dataTail),
  };
  sourceJson.set(s, parts);
  return parts;
}

/**
 * The ecs-logs event's `info` and the source keys of its `data`, as objects in recordToJsonLine's order: the
 * one place that says which source keys the event carries. recordToJsonLine stringifies them (measured: as fast
 * as writing the JSON key by key, with a third fewer scavenges); Fluent forward encodes them as msgpack.
 */
export function ecsLogsSourceParts(s: RecordSource): { info: Record<string, unknown>; dataTail: Record<string, unknown> } {
  const info: Record<string, unknown> = { host: s.host };
  // The program that wrote the line: the container for a container's lines, else the unit or identifier.
  const origin = s.container !== undefined ? s.container.name || s.identifier : (s.unit ?? s.identifier);
  if (origin !== undefined) info.source = origin;
  if (s.container !== undefined) info.id = s.container.id;
  if (s.pid !== undefined) info.pid = s.pid;
  const dataTail: Record<string, unknown> = { service: s.service, stream: s.stream };
  if (s.container !== undefined) dataTail.container = s.container;
  if (s.unit !== undefined) dataTail.unit = s.unit;
  if (s.identifier !== undefined) dataTail.identifier = s.identifier;
  if (s.ecs !== undefined) dataTail.ecs = s.ecs;
  return { info, dataTail };
}

/** `2026-11-24T16:52:13.123Z info service/stream message`, for people reading a terminal. */
export function recordToText(record: LogRecord): string {
  return `${isoTime(record.time)} ${record.level} ${record.source.service}/${record.source.stream} ${record.message}`;
}
