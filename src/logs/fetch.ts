// Fetching a time range of one service's events: every page to the end, or the newest N.
import type { FilteredLogEvent, FilterLogEventsCommandInput } from '@aws-sdk/client-cloudwatch-logs';
import { FILTER_PAGE_LIMIT, type CloudWatchReader } from './reader.ts';

/** FilterLogEvents pages newest first only from a startTime on or after 2024-01-01 (API reference, startFromHead). */
export const DESCENDING_SINCE = Date.UTC(2024, 0, 1);

export interface EventQuery {
  group: string;
  /** Log stream names (at most 100); none: every stream of the group. */
  streams?: readonly string[] | undefined;
  /** First event time included, ms. */
  start: number;
  /** Last event time included, ms; none: up to the newest. */
  end?: number | undefined;
  /** CloudWatch filter pattern, passed through. */
  filterPattern?: string | undefined;
}

export function filterInput(q: EventQuery): FilterLogEventsCommandInput {
  return {
    logGroupName: q.group,
    ...(q.streams && q.streams.length > 0 ? { logStreamNames: [...q.streams] } : {}),
    startTime: q.start,
    ...(q.end !== undefined ? { endTime: q.end } : {}),
    ...(q.filterPattern ? { filterPattern: q.filterPattern } : {}),
  };
}

/** Every event of the query, oldest first; `onPage` gets each non-empty page and answers false to stop. */
export async function readOldestFirst(reader: CloudWatchReader, q: EventQuery, onPage: (events: FilteredLogEvent[]) => Promise<boolean>, signal?: AbortSignal): Promise<void> {
  for await (const page of reader.filter(filterInput(q), signal)) {
    if (page.length > 0 && !(await onPage(page))) return;
  }
}

/**
 * The newest `limit` events of the query, oldest first: read newest first and stopped after `limit` where the
 * service allows it, else the whole range read oldest first keeping the last `limit`.
 */
export async function readNewest(reader: CloudWatchReader, q: EventQuery, limit: number, signal?: AbortSignal): Promise<FilteredLogEvent[]> {
  if (q.start >= DESCENDING_SINCE) {
    const newest: FilteredLogEvent[] = [];
    const input = { ...filterInput(q), startFromHead: false, limit: Math.min(FILTER_PAGE_LIMIT, limit) };
    for await (const page of reader.filter(input, signal)) {
      newest.push(...page.slice(0, limit - newest.length));
      if (newest.length >= limit) break;
    }
    return newest.reverse();
  }
  const kept: FilteredLogEvent[] = [];
  await readOldestFirst(
    reader,
    q,
    async (page) => {
      kept.push(...page);
      if (kept.length > limit) kept.splice(0, kept.length - limit);
      return true;
    },
    signal,
  );
  return kept;
}
