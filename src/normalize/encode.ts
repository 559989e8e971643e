// Record encodings shared by destinations: one JSON line per record in Segment's ecs-logs event shape, or plain text.
import type { Level, LogRecord } from '../model/log-record.ts';

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

function isoTime(ms: number): string {
  const d = new Date(ms);
  return Number.isNaN(d.getTime()) ? new Date(0).toISOString() : d.toISOString();
}

/**
 * The record as one ecs-logs event (no cursor or sequence numbers: those are the daemon's business):
 * `{"level":"INFO","time":"...","message":"...","info":{"host","source","id","pid"},"data":{"fields",
 * "service","stream","container","unit","identifier","ecs"}}`. `info.source` is the container name (else the
 * systemd unit, else the syslog identifier), `info.id` the container ID; absent values are left out. Built by hand, as pino does:
 * JSON.stringify only for the parts whose shape is not known.
 */
export function recordToJsonLine(record: LogRecord): string {
  const s = record.source;
  let info = '{"host":' + JSON.stringify(s.host);
  // The program that wrote the line: the container for a container's lines, else the unit or identifier.
  const origin = s.container !== undefined ? s.container.name || s.identifier : (s.unit ?? s.identifier);
  if (origin !== undefined) info += ',"source":' + JSON.stringify(origin);
  if (s.container !== undefined) info += ',"id":' + JSON.stringify(s.container.id);
  if (s.pid !== undefined) info += ',"pid":' + s.pid;
  info += '}';
  let data = '{"fields":' + JSON.stringify(record.fields) + ',"service":' + JSON.stringify(s.service) + ',"stream":' + JSON.stringify(s.stream);
  if (s.container !== undefined) data += ',"container":' + JSON.stringify(s.container);
  if (s.unit !== undefined) data += ',"unit":' + JSON.stringify(s.unit);
  if (s.identifier !== undefined) data += ',"identifier":' + JSON.stringify(s.identifier);
  if (s.ecs !== undefined) data += ',"ecs":' + JSON.stringify(s.ecs);
  data += '}';
  return (
    '{"level":"' + (ECS_LOGS_LEVELS[record.level] ?? 'INFO') + '","time":"' + isoTime(record.time) + '","message":' + JSON.stringify(record.message) +
    ',"info":' + info + ',"data":' + data + '}'
  );
}

/** `2026-11-24T16:52:13.123Z info service/stream message`, for people reading a terminal. */
export function recordToText(record: LogRecord): string {
  return `${isoTime(record.time)} ${record.level} ${record.source.service}/${record.source.stream} ${record.message}`;
}
