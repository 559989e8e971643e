// The three forms of `journal-fanout logs`: the services (log groups), one service's streams, its events.
import type { FilteredLogEvent, LogGroup, LogStream } from '@aws-sdk/client-cloudwatch-logs';
import { sanitizeStreamName } from '../../adapters/cloudwatch/names.ts';
import { isoTime } from '../normalize/encode.ts';
import { closestNames, unknownNameMessage } from './did-you-mean.ts';
import { LogsError, notFound } from './errors.ts';
import { viewEvent } from './event-view.ts';
import { readNewest, readOldestFirst, type EventQuery } from './fetch.ts';
import { follow } from './follow.ts';
import type { GroupNaming } from './group-naming.ts';
import { colourByLevel, jsonLine, type LineFormat } from './line-format.ts';
import type { LineWriter } from './output.ts';
import { MAX_FILTER_STREAMS, type CloudWatchReader } from './reader.ts';

export interface Io {
  out: LineWriter;
  /** A notice on stderr (never mixed into the output). */
  warn: (message: string) => void;
  signal: AbortSignal;
}

/** Groups whose last event time is asked for at once by `logs services` (DescribeLogStreams allows 25 a second). */
const LAST_EVENT_CONCURRENCY = 4;

function age(now: number, time: number): string {
  const s = Math.max(0, Math.round((now - time) / 1000));
  if (s < 120) return `${s}s ago`;
  if (s < 7200) return `${Math.round(s / 60)}m ago`;
  if (s < 172_800) return `${Math.round(s / 3600)}h ago`;
  return `${Math.round(s / 86_400)}d ago`;
}

const when = (now: number, time: number | undefined) => (time === undefined ? '-' : `${isoTime(time)} (${age(now, time)})`);

/** Rows as aligned columns (the last one unpadded). */
function table(rows: string[][]): string[] {
  const widths = rows[0]!.map((_, i) => Math.max(...rows.map((r) => r[i]!.length)));
  return rows.map((r) => r.map((cell, i) => (i === r.length - 1 ? cell : cell.padEnd(widths[i]!))).join('  '));
}

async function mapLimit<T, R>(items: readonly T[], limit: number, f: (item: T) => Promise<R>): Promise<R[]> {
  const out = new Array<R>(items.length);
  let next = 0;
  const worker = async () => {
    while (next < items.length) {
      const i = next++;
      out[i] = await f(items[i]!);
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
  return out;
}

async function servicesOf(reader: CloudWatchReader, naming: GroupNaming, signal: AbortSignal): Promise<Array<{ service: string; group: LogGroup }>> {
  const out: Array<{ service: string; group: LogGroup }> = [];
  for await (const group of reader.groups(naming.listPrefix, signal)) {
    const service = naming.serviceOf(group.logGroupName ?? '');
    if (service !== undefined) out.push({ service, group });
  }
  return out;
}

async function unknownService(reader: CloudWatchReader, naming: GroupNaming, service: string, group: string, signal: AbortSignal): Promise<LogsError> {
  const known = (await servicesOf(reader, naming, signal)).map((s) => s.service);
  const detail = `no log group "${group}", the name ${naming.origin} gives it`;
  return new LogsError('ERR_LOGS_UNKNOWN_SERVICE', unknownNameMessage('service', service, closestNames(service, known), 'journal-fanout logs services', detail));
}

async function unknownStream(reader: CloudWatchReader, group: string, service: string, stream: string, signal: AbortSignal): Promise<LogsError> {
  const known: string[] = [];
  for await (const s of reader.streams(group, { orderBy: 'LogStreamName' }, signal)) known.push(s.logStreamName ?? '');
  return new LogsError('ERR_LOGS_UNKNOWN_STREAM', unknownNameMessage('stream', stream, closestNames(stream, known), `journal-fanout logs streams ${service}`, `service ${service}, log group "${group}"`));
}

export async function listServices(reader: CloudWatchReader, naming: GroupNaming, options: { json: boolean }, io: Io): Promise<number> {
  await reader.region();
  const services = await servicesOf(reader, naming, io.signal);
  if (services.length === 0) {
    io.warn(`no log groups${naming.listPrefix ? ` starting with "${naming.listPrefix}"` : ''} (the groups ${naming.origin} names); pass --config FILE to read the forwarder's group template, or --group-prefix PREFIX`);
    return 0;
  }
  const last = await mapLimit(services, LAST_EVENT_CONCURRENCY, async ({ group }) => {
    for await (const s of reader.streams(group.logGroupName!, { orderBy: 'LastEventTime', descending: true }, io.signal, 1)) return s.lastEventTimestamp;
    return undefined;
  });
  const now = reader.clock.now();
  if (options.json) {
    await io.out.write(
      services.map(({ service, group }, i) =>
        JSON.stringify({
          service,
          group: group.logGroupName,
          lastEventTime: last[i] === undefined ? null : isoTime(last[i]!),
          creationTime: group.creationTime === undefined ? null : isoTime(group.creationTime),
          retentionInDays: group.retentionInDays ?? null,
        }),
      ),
    );
    return 0;
  }
  await io.out.write(table([['SERVICE', 'LAST EVENT', 'LOG GROUP'], ...services.map(({ service, group }, i) => [service, when(now, last[i]), group.logGroupName ?? ''])]));
  return 0;
}

export interface StreamsOptions {
  json: boolean;
  /** Only streams written to since then (by their last event time). */
  since?: number | undefined;
  /** At most this many, the most recently written. */
  limit?: number | undefined;
}

export async function listStreams(reader: CloudWatchReader, naming: GroupNaming, service: string, options: StreamsOptions, io: Io): Promise<number> {
  await reader.region();
  const group = naming.groupOf(service);
  const streams: LogStream[] = [];
  try {
    // Newest first. lastEventTimestamp is eventually consistent (it can lag ingestion by up to an hour: API reference).
    for await (const s of reader.streams(group, { orderBy: 'LastEventTime', descending: true }, io.signal)) {
      if (options.since !== undefined && (s.lastEventTimestamp ?? 0) < options.since) break;
      streams.push(s);
      if (options.limit !== undefined && streams.length >= options.limit) break;
    }
  } catch (error) {
    if (notFound(error) === 'group') throw await unknownService(reader, naming, service, group, io.signal);
    throw error;
  }
  if (streams.length === 0) {
    io.warn(`log group "${group}" has no streams${options.since !== undefined ? ` written to since ${isoTime(options.since)}` : ''}`);
    return 0;
  }
  const now = reader.clock.now();
  if (options.json) {
    const iso = (t: number | undefined) => (t === undefined ? null : isoTime(t));
    await io.out.write(
      streams.map((s) =>
        JSON.stringify({ stream: s.logStreamName, firstEventTime: iso(s.firstEventTimestamp), lastEventTime: iso(s.lastEventTimestamp), lastIngestionTime: iso(s.lastIngestionTime), creationTime: iso(s.creationTime) }),
      ),
    );
    return 0;
  }
  await io.out.write(table([['STREAM', 'FIRST EVENT', 'LAST EVENT'], ...streams.map((s) => [s.logStreamName ?? '', when(now, s.firstEventTimestamp), when(now, s.lastEventTimestamp)])]));
  return 0;
}

export interface EventsOptions {
  service: string;
  /** Stream names as given (sanitized as the forwarder names streams); none: every stream. */
  streams: readonly string[];
  since: number;
  until?: number | undefined;
  filterPattern?: string | undefined;
  follow: boolean;
  /** The newest N events (with follow: of the backlog). */
  limit?: number | undefined;
  /** A compiled --format, or "json" for --json. */
  format: LineFormat | 'json';
  colour: boolean;
  intervalMs: number;
  overlapMs: number;
}

export async function showEvents(reader: CloudWatchReader, naming: GroupNaming, options: EventsOptions, io: Io): Promise<number> {
  await reader.region();
  const { service } = options;
  const group = naming.groupOf(service);
  const streams = [...new Set(options.streams.map(sanitizeStreamName))];
  if (streams.length > MAX_FILTER_STREAMS) {
    throw new LogsError('ERR_LOGS_USAGE', `at most ${MAX_FILTER_STREAMS} streams can be read at once (FilterLogEvents' limit), got ${streams.length}; name fewer, or none to read every stream`, { exitCode: 2 });
  }
  const failed = async (error: unknown): Promise<unknown> => (notFound(error) === 'group' ? unknownService(reader, naming, service, group, io.signal) : error);
  for (const name of streams) {
    let found: LogStream | undefined;
    try {
      found = await reader.stream(group, name, io.signal);
    } catch (error) {
      throw await failed(error);
    }
    if (!found) throw await unknownStream(reader, group, service, name, io.signal);
  }
  const { format, colour } = options;
  const lines = (events: FilteredLogEvent[]) =>
    events.map((e) => {
      const view = viewEvent(e, group, service);
      if (format === 'json') return jsonLine(view);
      const line = format(view);
      return colour ? colourByLevel(line, view.level) : line;
    });
  const show = (events: FilteredLogEvent[]) => io.out.write(lines(events));
  const query: EventQuery = { group, streams, start: options.since, end: options.until, filterPattern: options.filterPattern };
  try {
    if (options.follow) {
      await follow(reader, { query, intervalMs: options.intervalMs, overlapMs: options.overlapMs, backlogLimit: options.limit, signal: io.signal, show, warn: io.warn });
    } else if (options.limit !== undefined) {
      await show(await readNewest(reader, query, options.limit, io.signal));
    } else {
      await readOldestFirst(reader, query, show, io.signal);
    }
  } catch (error) {
    if (io.signal.aborted) return 0;
    throw await failed(error);
  }
  return 0;
}
