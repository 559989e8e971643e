// --follow: poll FilterLogEvents and show each new event once, as it arrives (follow-window.ts says how).
import { setTimeout as sleep } from 'node:timers/promises';
import type { FilteredLogEvent } from '@aws-sdk/client-cloudwatch-logs';
import { LogsError } from './errors.ts';
import { filterInput, type EventQuery } from './fetch.ts';
import { FollowWindow } from './follow-window.ts';
import type { CloudWatchReader } from './reader.ts';

/** How far back most polls reach: a forwarder flushes within a second or so, and search follows within seconds. */
export const SHALLOW_MS = 10_000;
/** Every this many polls, one reaches back the whole --overlap. */
export const DEEP_EVERY = 5;
/** Longest wait between tries while the service cannot be read. */
const MAX_FAILURE_WAIT_MS = 30_000;
/** Failures worth waiting out while following: the network, throttling, a server fault. */
const TRANSIENT: ReadonlySet<string> = new Set(['ERR_LOGS_UNREACHABLE', 'ERR_LOGS_THROTTLED', 'ERR_LOGS_REQUEST']);

export interface FollowOptions {
  query: EventQuery;
  intervalMs: number;
  overlapMs: number;
  /** Show only the newest N events of the first read (the backlog since --since); all when undefined. */
  backlogLimit?: number | undefined;
  signal: AbortSignal;
  /** Shows events; answers false when nobody reads any more. */
  show: (events: FilteredLogEvent[]) => Promise<boolean>;
  warn: (message: string) => void;
}

const seconds = (ms: number) => `${Math.round(ms / 100) / 10} s`;

/** Polls until the signal aborts or nobody reads; throws a LogsError on a failure that waiting will not fix. */
export async function follow(reader: CloudWatchReader, options: FollowOptions): Promise<void> {
  const { query, intervalMs, overlapMs, signal, show, warn } = options;
  const window = new FollowWindow({ since: query.start, overlapMs, shallowMs: SHALLOW_MS });
  const backlog: FilteredLogEvent[] | undefined = options.backlogLimit === undefined ? undefined : [];
  const limit = options.backlogLimit ?? 0;
  let pass = 0;
  let failures = 0;
  let warnedLateness = 0;
  let failure = '';
  while (!signal.aborted) {
    const localStart = Date.now();
    try {
      const input = { ...filterInput({ ...query, end: undefined }), startTime: window.start(pass % DEEP_EVERY === 0 ? 'deep' : 'shallow') };
      for await (const page of reader.filter(input, signal)) {
        const fresh = page.filter((e) => window.accept(e));
        if (pass === 0 && backlog) {
          backlog.push(...fresh);
          if (backlog.length > limit) backlog.splice(0, backlog.length - limit);
        } else if (fresh.length > 0 && !(await show(fresh))) return;
      }
      if (pass === 0 && backlog && backlog.length > 0 && !(await show(backlog.splice(0)))) return;
      window.passDone(localStart + reader.clock.offsetMs);
      pass++;
      failures = 0;
      const late = window.maxLatenessMs;
      if (late > overlapMs / 2 && late > warnedLateness * 2) {
        warnedLateness = late;
        warn(`events are arriving up to ${seconds(late)} after their own time; events later than --overlap (${seconds(overlapMs)}) are not shown while following: widen --overlap, or fetch the range afterwards with --since/--until`);
      }
    } catch (error) {
      if (signal.aborted) return;
      if (!(error instanceof LogsError) || !TRANSIENT.has(error.code)) throw error;
      failures++;
      failure = error.message;
    }
    const wait = failures === 0 ? intervalMs : Math.min(MAX_FAILURE_WAIT_MS, intervalMs * 2 ** failures);
    if (failures > 0) warn(`${failure}; still following, next try in ${seconds(wait)}`);
    try {
      await sleep(wait, undefined, { signal });
    } catch {
      return;
    }
  }
}
