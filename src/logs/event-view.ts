// A CloudWatch event seen as the record the forwarder shipped: the message is the record's JSON line (ecs-logs
// shape, src/normalize/encode.ts), parsed back into time, level, message, fields and source for templates.
import type { FilteredLogEvent } from '@aws-sdk/client-cloudwatch-logs';
import { LEVELS, type ContainerInfo, type EcsInfo, type Level, type RecordSource } from '../model/log-record.ts';
import { ECS_LOGS_LEVELS } from '../normalize/encode.ts';

export interface EventView {
  /** The event's timestamp (the record's time), ms since the epoch. */
  time: number;
  level: Level | undefined;
  message: string;
  fields: Record<string, unknown>;
  source: RecordSource;
  group: string;
  logStream: string;
  eventId: string;
  ingestionTime: number | undefined;
  /** The message as shipped: its text, and the object it holds when it is a JSON object. */
  raw: string;
  shipped: Record<string, unknown> | undefined;
}

const LEVEL_NAMES: ReadonlyMap<string, Level> = new Map([
  ...LEVELS.map((l) => [l, l] as const),
  ...(Object.entries(ECS_LOGS_LEVELS) as Array<[Level, string]>).map(([level, name]) => [name.toLowerCase(), level] as const),
  ['warn', 'warning'],
  ['err', 'error'],
  ['fatal', 'crit'],
  ['critical', 'crit'],
  ['emergency', 'emerg'],
  ['trace', 'debug'],
]);

export function levelOf(value: unknown): Level | undefined {
  return typeof value === 'string' ? LEVEL_NAMES.get(value.toLowerCase()) : undefined;
}

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);
const text = (v: unknown): string | undefined => (typeof v === 'string' && v !== '' ? v : undefined);

function parseObject(message: string): Record<string, unknown> | undefined {
  if (!message.startsWith('{')) return undefined;
  try {
    const value: unknown = JSON.parse(message);
    return isObject(value) ? value : undefined;
  } catch {
    // A split or truncated record ("[journal-fanout part 1/2] {...") or another program's text.
    return undefined;
  }
}

/** The view of one event of `group`; `service` is the service asked for, used when the message does not say. */
export function viewEvent(event: FilteredLogEvent, group: string, service: string): EventView {
  const raw = event.message ?? '';
  const logStream = event.logStreamName ?? '';
  const base = { time: event.timestamp ?? 0, group, logStream, eventId: event.eventId ?? '', ingestionTime: event.ingestionTime, raw };
  const shipped = parseObject(raw);
  if (!shipped) {
    return { ...base, level: undefined, message: raw, fields: {}, source: { host: '', service, stream: logStream }, shipped: undefined };
  }
  const info = isObject(shipped.info) ? shipped.info : {};
  const data = isObject(shipped.data) ? shipped.data : undefined;
  const source: RecordSource = { host: text(info.host) ?? '', service: text(data?.service) ?? service, stream: text(data?.stream) ?? logStream };
  if (data) {
    if (isObject(data.container)) source.container = data.container as unknown as ContainerInfo;
    if (text(data.unit)) source.unit = data.unit as string;
    if (text(data.identifier)) source.identifier = data.identifier as string;
    if (isObject(data.ecs)) source.ecs = data.ecs as unknown as EcsInfo;
  }
  if (typeof info.pid === 'number') source.pid = info.pid;
  // The forwarder's records keep parsed fields under data.fields; another program's JSON is its own fields.
  let fields: Record<string, unknown>;
  if (data && isObject(data.fields)) fields = data.fields;
  else {
    const { message: _m, msg: _g, level: _l, time: _t, ...rest } = shipped;
    fields = rest;
  }
  const message = text(shipped.message) ?? text(shipped.msg) ?? raw;
  return { ...base, level: levelOf(shipped.level), message, fields, source, shipped };
}
