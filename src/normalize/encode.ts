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
 * The record last encoded as a JSON line, with the line and its UTF-8 length: the pipeline hands each record
 * to every destination in turn, so destinations of one format (CloudWatch's json messages, stdout's json
 * lines, several CloudWatch destinations) encode it once between them. Records are not changed once built.
 */
let lineRecord: LogRecord | undefined;
let line = '';
let lineBytes = -1;
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

/**
 * The record as one ecs-logs event (no cursor or sequence numbers: those are the daemon's business):
 * `{"level":"INFO","time":"...","message":"...","info":{"host","source","id","pid"},"data":{"fields",
 * "service","stream","container","unit","identifier","ecs"}}`. `info.source` is the container name (else the
 * systemd unit, else the syslog identifier), `info.id` the container ID; absent values are left out. Built by hand, as pino does:
 * JSON.stringify only for the parts whose shape is not known.
 */
export function recordToJsonLine(record: LogRecord): string {
  if (record === lineRecord) return line;
  const parts = sourceParts(record.source);
  line =
    '{"level":"' + (ECS_LOGS_LEVELS[record.level] ?? 'INFO') + '","time":"' + isoTime(record.time) + '","message":' + messageJson(record) +
    ',"info":' + parts.info + ',"data":{"fields":' + JSON.stringify(record.fields) + parts.dataTail + '}';
  lineRecord = record;
  lineBytes = -1;
  return line;
}

/** UTF-8 bytes of recordToJsonLine(record), counted once per record. */
export function jsonLineBytes(record: LogRecord): number {
  recordToJsonLine(record);
  if (lineBytes < 0) lineBytes = Buffer.byteLength(line);
  return lineBytes;
}

/**
 * The JSON of a source, built once per source object: the normalizer shares one source object among all
 * records of a container, so this work leaves the per-record path (measured: recordToJsonLine was 7.5% of
 * the daemon's CPU samples, most of it these parts). Sources are never mutated after they are built.
 */
const sourceJson = new WeakMap<RecordSource, { info: string; dataTail: string }>();

function sourceParts(s: RecordSource): { info: string; dataTail: string } {
  let parts = sourceJson.get(s);
  if (parts) return parts;
  let info = '{"host":' + JSON.stringify(s.host);
  // The program that wrote the line: the container for a container's lines, else the unit or identifier.
  const origin = s.container !== undefined ? s.container.name || s.identifier : (s.unit ?? s.identifier);
  if (origin !== undefined) info += ',"source":' + JSON.stringify(origin);
  if (s.container !== undefined) info += ',"id":' + JSON.stringify(s.container.id);
  if (s.pid !== undefined) info += ',"pid":' + s.pid;
  info += '}';
  let dataTail = ',"service":' + JSON.stringify(s.service) + ',"stream":' + JSON.stringify(s.stream);
  if (s.container !== undefined) dataTail += ',"container":' + JSON.stringify(s.container);
  if (s.unit !== undefined) dataTail += ',"unit":' + JSON.stringify(s.unit);
  if (s.identifier !== undefined) dataTail += ',"identifier":' + JSON.stringify(s.identifier);
  if (s.ecs !== undefined) dataTail += ',"ecs":' + JSON.stringify(s.ecs);
  dataTail += '}';
  parts = { info, dataTail };
  sourceJson.set(s, parts);
  return parts;
}

/**
 * The ecs-logs event's `info` and the source keys of its `data`, as objects in recordToJsonLine's order, for
 * destinations with a binary encoding (Fluent forward's msgpack, which encodes them once per source).
 */
export function ecsLogsSourceParts(s: RecordSource): { info: Record<string, unknown>; dataTail: Record<string, unknown> } {
  const info: Record<string, unknown> = { host: s.host };
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
