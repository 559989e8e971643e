// The stand-in's read operations: DescribeLogGroups, DescribeLogStreams, FilterLogEvents, GetLogEvents, with
// the service's limits, validation wording and paging (partial and empty pages included).
import { compileFilterPattern, MAX_FILTER_PATTERN_LENGTH } from './filter-pattern.ts';
import { compareKeys, decodeToken, encodeToken } from './paging.ts';
import { checkGroupName, checkLength, checkRange, checkStreamName, ServiceFault, validationError } from './rules.ts';
import type { GroupState, StoredEvent, StreamState } from './server.ts';

/** DescribeLogGroups / DescribeLogStreams `limit`: 1 to 50, default 50 (API model, shape DescribeLimit). */
export const MAX_DESCRIBE_LIMIT = 50;
/** FilterLogEvents / GetLogEvents `limit`: 1 to 10,000, the default (API model, shape EventsLimit). */
export const MAX_EVENTS_LIMIT = 10_000;
/** A page of events holds at most 1 MB (API reference, FilterLogEvents and GetLogEvents). */
export const MAX_RESPONSE_BYTES = 1_048_576;
/** FilterLogEvents `logStreamNames`: 1 to 100 names (API model, shape InputLogStreamNames). */
export const MAX_FILTER_STREAMS = 100;
/** startFromHead false on FilterLogEvents needs a startTime on or after this (API reference, FilterLogEvents). */
export const DESCENDING_FILTER_SINCE = Date.UTC(2024, 0, 1);

export const ACCOUNT = '123456789012';
export const REGION = 'us-east-1';

/** How many items a page may hold, to force small and partial pages in tests. */
export interface StandinPaging {
  /** Most items per DescribeLogGroups / DescribeLogStreams page (at most the request's limit). Default 50. */
  describePage: number;
  /**
   * Most events FilterLogEvents examines per call. The service stops a search after a time-bounded scan and
   * answers a partial (even empty) page with a nextToken, so a client must page until no token comes back;
   * this does the same by count. Default 5,000.
   */
  eventsScanned: number;
  /** Most events per GetLogEvents page. Default 10,000. */
  eventsPerPage: number;
}

export const DEFAULT_PAGING: StandinPaging = { describePage: MAX_DESCRIBE_LIMIT, eventsScanned: 5_000, eventsPerPage: MAX_EVENTS_LIMIT };

type Body = Record<string, unknown>;

/** A 56-digit event ID, as the service's are: the event time and its ingestion sequence number. */
export function eventId(e: StoredEvent): string {
  return String(e.timestamp).padStart(20, '0') + String(e.seq).padStart(36, '0');
}

/** Sort key of an event: its time, then its ingestion order (which follows the ingestion time and request). */
const eventKey = (e: StoredEvent): [number, number] => [e.timestamp, e.seq];

const notFoundGroup = () => new ServiceFault('ResourceNotFoundException', 'The specified log group does not exist.');
const notFoundStream = () => new ServiceFault('ResourceNotFoundException', 'The specified log stream does not exist.');

function groupNameFromIdentifier(identifier: string): string {
  // An ARN (arn:aws:logs:REGION:ACCOUNT:log-group:NAME, optionally followed by ":*") or a plain name.
  const m = /^arn:aws[a-z-]*:logs:[^:]*:[^:]*:log-group:([^:]+)(:\*)?$/.exec(identifier);
  return m ? m[1]! : identifier;
}

export function readOperations(groups: Map<string, GroupState>, paging: StandinPaging): Record<string, (body: Body) => unknown> {
  function targetGroup(body: Body, problems: string[]): GroupState | undefined {
    const { logGroupName, logGroupIdentifier } = body;
    if (logGroupName !== undefined && logGroupIdentifier !== undefined) {
      throw new ServiceFault('InvalidParameterException', 'LogGroup name and LogGroup ARN are mutually exclusive parameters.');
    }
    if (logGroupIdentifier !== undefined) checkLength(problems, logGroupIdentifier, 'logGroupIdentifier', 1, 2048);
    else checkGroupName(problems, logGroupName);
    if (problems.length > 0) return undefined;
    const name = logGroupIdentifier !== undefined ? groupNameFromIdentifier(logGroupIdentifier as string) : (logGroupName as string);
    return groups.get(name);
  }

  function checkTime(problems: string[], value: unknown, at: string): void {
    if (value === undefined || value === null) return;
    if (typeof value !== 'number' || !Number.isInteger(value)) problems.push(`Value '${String(value)}' at '${at}' failed to satisfy constraint: Member must be a long`);
    else if (value < 0) problems.push(`Value '${value}' at '${at}' failed to satisfy constraint: Member must have value greater than or equal to 0`);
  }

  function streamSummary(g: GroupState, s: StreamState): Record<string, unknown> {
    return {
      logStreamName: s.name,
      creationTime: s.creationTime,
      ...(s.firstEventTimestamp === undefined ? {} : { firstEventTimestamp: s.firstEventTimestamp, lastEventTimestamp: s.lastEventTimestamp, lastIngestionTime: s.lastIngestionTime }),
      arn: `arn:aws:logs:${REGION}:${ACCOUNT}:log-group:${g.name}:log-stream:${s.name}`,
      storedBytes: 0,
    };
  }

  /** Items after the token's key, at most `max` of them; a token when more remain. */
  function page<T>(operation: string, body: Body, sorted: T[], key: (item: T) => Array<string | number>, max: number, desc = false): { items: T[]; nextToken?: string } {
    const state = decodeToken(operation, body);
    const after = (item: T) => !state || (desc ? compareKeys(key(item), state.key) < 0 : compareKeys(key(item), state.key) > 0);
    const start = sorted.findIndex(after);
    const rest = start < 0 ? [] : sorted.slice(start);
    const items = rest.slice(0, max);
    return rest.length > max ? { items, nextToken: encodeToken(operation, body, { key: key(items.at(-1)!) }) } : { items };
  }

  return {
    DescribeLogGroups(body) {
      const problems: string[] = [];
      checkRange(problems, body.limit, 'limit', 1, MAX_DESCRIBE_LIMIT);
      if (body.logGroupNamePrefix !== undefined) checkGroupName(problems, body.logGroupNamePrefix, 'logGroupNamePrefix');
      if (problems.length) throw validationError(problems);
      if (body.logGroupNamePrefix !== undefined && body.logGroupNamePattern !== undefined) {
        throw new ServiceFault('InvalidParameterException', 'LogGroup name prefix and LogGroup name pattern are mutually exclusive parameters.');
      }
      const prefix = (body.logGroupNamePrefix as string | undefined) ?? '';
      const pattern = ((body.logGroupNamePattern as string | undefined) ?? '').toLowerCase();
      // ASCII order by name (API reference, DescribeLogGroups).
      const all = [...groups.values()]
        .filter((g) => g.name.startsWith(prefix) && g.name.toLowerCase().includes(pattern))
        .sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
      const limit = Math.min((body.limit as number | undefined) ?? MAX_DESCRIBE_LIMIT, paging.describePage);
      const { items, nextToken } = page('DescribeLogGroups', body, all, (g) => [g.name], limit);
      return {
        logGroups: items.map((g) => ({
          logGroupName: g.name,
          creationTime: g.creationTime,
          ...(g.retentionInDays === undefined ? {} : { retentionInDays: g.retentionInDays }),
          metricFilterCount: 0,
          arn: `arn:aws:logs:${REGION}:${ACCOUNT}:log-group:${g.name}:*`,
          logGroupArn: `arn:aws:logs:${REGION}:${ACCOUNT}:log-group:${g.name}`,
          storedBytes: 0,
          logGroupClass: 'STANDARD',
        })),
        ...(nextToken ? { nextToken } : {}),
      };
    },

    DescribeLogStreams(body) {
      const problems: string[] = [];
      const g = targetGroup(body, problems);
      checkRange(problems, body.limit, 'limit', 1, MAX_DESCRIBE_LIMIT);
      if (body.logStreamNamePrefix !== undefined) checkStreamName(problems, body.logStreamNamePrefix, 'logStreamNamePrefix');
      const orderBy = body.orderBy ?? 'LogStreamName';
      if (orderBy !== 'LogStreamName' && orderBy !== 'LastEventTime') {
        problems.push(`Value '${String(orderBy)}' at 'orderBy' failed to satisfy constraint: Member must satisfy enum value set: [LogStreamName, LastEventTime]`);
      }
      if (problems.length) throw validationError(problems);
      if (orderBy === 'LastEventTime' && body.logStreamNamePrefix !== undefined) {
        throw new ServiceFault('InvalidParameterException', 'Cannot order by LastEventTime with a logStreamNamePrefix.');
      }
      if (!g) throw notFoundGroup();
      const prefix = (body.logStreamNamePrefix as string | undefined) ?? '';
      const desc = body.descending === true;
      const key = (s: StreamState): Array<string | number> => (orderBy === 'LastEventTime' ? [s.lastEventTimestamp ?? 0, s.name] : [s.name]);
      const all = [...g.streams.values()].filter((s) => s.name.startsWith(prefix)).sort((a, b) => compareKeys(key(a), key(b)) * (desc ? -1 : 1));
      const limit = Math.min((body.limit as number | undefined) ?? MAX_DESCRIBE_LIMIT, paging.describePage);
      const { items, nextToken } = page('DescribeLogStreams', body, all, key, limit, desc);
      return { logStreams: items.map((s) => streamSummary(g, s)), ...(nextToken ? { nextToken } : {}) };
    },

    FilterLogEvents(body) {
      const problems: string[] = [];
      const g = targetGroup(body, problems);
      const names = body.logStreamNames;
      if (names !== undefined) {
        checkLength(problems, names, 'logStreamNames', 1, MAX_FILTER_STREAMS);
        if (Array.isArray(names)) names.forEach((n, i) => checkStreamName(problems, n, `logStreamNames.${i + 1}.member`));
      }
      if (body.logStreamNamePrefix !== undefined) checkStreamName(problems, body.logStreamNamePrefix, 'logStreamNamePrefix');
      checkTime(problems, body.startTime, 'startTime');
      checkTime(problems, body.endTime, 'endTime');
      checkRange(problems, body.limit, 'limit', 1, MAX_EVENTS_LIMIT);
      if (body.filterPattern !== undefined) checkLength(problems, body.filterPattern, 'filterPattern', 0, MAX_FILTER_PATTERN_LENGTH);
      if (problems.length) throw validationError(problems);
      if (names !== undefined && body.logStreamNamePrefix !== undefined) {
        throw new ServiceFault('InvalidParameterException', 'Cannot specify both logStreamNames and logStreamNamePrefix.');
      }
      const start = (body.startTime as number | undefined) ?? 0;
      const end = (body.endTime as number | undefined) ?? Number.MAX_SAFE_INTEGER;
      const state = decodeToken('FilterLogEvents', body);
      // The token's direction wins over startFromHead (API reference, FilterLogEvents startFromHead).
      const desc = state ? state.desc === true : body.startFromHead === false;
      if (!state && desc && body.startTime !== undefined && start < DESCENDING_FILTER_SINCE) {
        throw new ServiceFault('InvalidParameterException', 'startFromHead set to false is supported only when startTime is on or after Jan 1, 2024 00:00:00 UTC.');
      }
      const matches = compileFilterPattern((body.filterPattern as string | undefined) ?? '');
      if (!g) throw notFoundGroup();
      let streams: StreamState[];
      if (Array.isArray(names)) {
        streams = (names as string[]).map((n) => {
          const s = g.streams.get(n);
          if (!s) throw notFoundStream();
          return s;
        });
      } else {
        const prefix = (body.logStreamNamePrefix as string | undefined) ?? '';
        streams = [...g.streams.values()].filter((s) => s.name.startsWith(prefix));
      }
      // Ordered by event time, then ingestion (API reference, FilterLogEvents), across the streams.
      const candidates: Array<{ stream: string; e: StoredEvent }> = [];
      for (const s of streams) for (const e of s.events) if (e.timestamp >= start && e.timestamp <= end) candidates.push({ stream: s.name, e });
      candidates.sort((a, b) => compareKeys(eventKey(a.e), eventKey(b.e)) * (desc ? -1 : 1));
      const from = state ? candidates.findIndex((c) => compareKeys(eventKey(c.e), state.key) * (desc ? -1 : 1) > 0) : 0;
      const limit = (body.limit as number | undefined) ?? MAX_EVENTS_LIMIT;
      const events: Array<Record<string, unknown>> = [];
      let bytes = 0;
      let scanned = 0;
      let last: [number, number] | undefined = state ? (state.key as [number, number]) : undefined;
      let stoppedEarly = false;
      for (let i = from < 0 ? candidates.length : from; i < candidates.length; i++) {
        if (scanned >= paging.eventsScanned || events.length >= limit) {
          stoppedEarly = true;
          break;
        }
        const { stream, e } = candidates[i]!;
        if (matches(e.message)) {
          const out = { logStreamName: stream, timestamp: e.timestamp, message: e.message, ingestionTime: e.ingestionTime, eventId: eventId(e) };
          const size = Buffer.byteLength(JSON.stringify(out)) + 1;
          if (events.length > 0 && bytes + size > MAX_RESPONSE_BYTES) {
            stoppedEarly = true;
            break;
          }
          events.push(out);
          bytes += size;
        }
        scanned++;
        last = eventKey(e);
      }
      // A search that stopped early answers a token even when nothing is left: the next page is then empty
      // and has none. Clients must page until no token comes back, whatever the pages held.
      const nextToken = stoppedEarly && last ? encodeToken('FilterLogEvents', body, { key: last, ...(desc ? { desc: true } : {}) }) : undefined;
      return { events, searchedLogStreams: [], ...(nextToken ? { nextToken } : {}) };
    },

    GetLogEvents(body) {
      const problems: string[] = [];
      const g = targetGroup(body, problems);
      checkStreamName(problems, body.logStreamName);
      checkTime(problems, body.startTime, 'startTime');
      checkTime(problems, body.endTime, 'endTime');
      checkRange(problems, body.limit, 'limit', 1, MAX_EVENTS_LIMIT);
      if (body.nextToken !== undefined) checkLength(problems, body.nextToken, 'nextToken', 1, Number.MAX_SAFE_INTEGER);
      if (problems.length) throw validationError(problems);
      if (!g) throw notFoundGroup();
      const s = g.streams.get(body.logStreamName as string);
      if (!s) throw notFoundStream();
      const start = (body.startTime as number | undefined) ?? 0;
      // endTime is exclusive here, unlike FilterLogEvents (API reference, GetLogEvents endTime).
      const end = (body.endTime as number | undefined) ?? Number.MAX_SAFE_INTEGER;
      const inRange = s.events.filter((e) => e.timestamp >= start && e.timestamp < end).sort((a, b) => compareKeys(eventKey(a), eventKey(b)));
      const limit = Math.min((body.limit as number | undefined) ?? MAX_EVENTS_LIMIT, paging.eventsPerPage);
      const token = body.nextToken as string | undefined;
      const position = token === undefined ? undefined : parseStreamToken(token);
      if (position?.forward && body.startFromHead !== true) {
        // "If you are using a previous nextForwardToken value as the nextToken in this operation, you must
        // specify true for startFromHead" (API reference, GetLogEvents); the stand-in refuses it outright.
        throw new ServiceFault('InvalidParameterException', 'A nextForwardToken must be used with startFromHead set to true.');
      }
      const forward = position ? position.forward : body.startFromHead === true;
      let picked: StoredEvent[];
      if (forward) {
        const after = position ? inRange.filter((e) => compareKeys(eventKey(e), position.key) > 0) : inRange;
        picked = takeBytes(after.slice(0, limit));
      } else {
        const before = position ? inRange.filter((e) => compareKeys(eventKey(e), position.key) < 0) : inRange;
        picked = takeBytes(before.slice(Math.max(0, before.length - limit)).reverse()).reverse();
      }
      const first = picked[0];
      const lastEvent = picked.at(-1);
      // Tokens are boundaries: f/K continues after key K, b/K before it (sequence numbers start at 1, so
      // [time, 0] lies before every event of that millisecond). At the end of the stream in a direction, that
      // direction's token is the one passed in ("returns the same token you passed in").
      const base: [number, number] = position ? position.key : forward ? [start, 0] : [end, 0];
      const nextForwardToken = lastEvent
        ? streamToken(true, eventKey(lastEvent))
        : token !== undefined && forward
          ? token
          : streamToken(true, forward ? base : [base[0], Math.max(0, base[1] - 1)]);
      const nextBackwardToken = first
        ? streamToken(false, eventKey(first))
        : token !== undefined && !forward
          ? token
          : streamToken(false, forward ? [base[0], base[1] + 1] : base);
      return {
        events: picked.map((e) => ({ timestamp: e.timestamp, message: e.message, ingestionTime: e.ingestionTime })),
        nextForwardToken,
        nextBackwardToken,
      };
    },
  };
}

/** At most 1 MB of events, taken from the start of `events`. */
function takeBytes(events: StoredEvent[]): StoredEvent[] {
  let bytes = 0;
  let n = 0;
  for (const e of events) {
    bytes += Buffer.byteLength(e.message) + 64;
    if (n > 0 && bytes > MAX_RESPONSE_BYTES) break;
    n++;
  }
  return events.slice(0, n);
}

/** `f/` or `b/`, 56 digits (event time and sequence, as the service's tokens are digits), `/s`. */
function streamToken(forward: boolean, key: [number, number]): string {
  return `${forward ? 'f' : 'b'}/${String(key[0]).padStart(20, '0')}${String(key[1]).padStart(36, '0')}/s`;
}

function parseStreamToken(token: string): { forward: boolean; key: [number, number] } {
  const m = /^([fb])\/(\d{20})(\d{36})\/s$/.exec(token);
  if (!m) throw new ServiceFault('InvalidParameterException', 'The specified nextToken is invalid.');
  return { forward: m[1] === 'f', key: [Number(m[2]), Number(m[3])] };
}
