// Reads CloudWatch Logs for `journal-fanout logs`: every list paged to its end, every request retried when
// throttled, every failure explained.
import {
  DescribeLogGroupsCommand,
  DescribeLogStreamsCommand,
  FilterLogEventsCommand,
  type CloudWatchLogsClient,
  type FilteredLogEvent,
  type FilterLogEventsCommandInput,
  type LogGroup,
  type LogStream,
} from '@aws-sdk/client-cloudwatch-logs';
import { createLogsClient } from '../../adapters/cloudwatch/client.ts';
import { explain, LogsError, type RequestPlace } from './errors.ts';
import { DEFAULT_RETRY, withRetry, type RetryOptions } from './retry.ts';
import { ServerClock, watchServerClock } from './server-clock.ts';

/** DescribeLogGroups / DescribeLogStreams return at most 50 items a page (API reference). */
export const DESCRIBE_PAGE_LIMIT = 50;
/** FilterLogEvents returns at most 10,000 events a page (API reference). */
export const FILTER_PAGE_LIMIT = 10_000;
/** FilterLogEvents takes at most 100 log stream names (API reference, logStreamNames). */
export const MAX_FILTER_STREAMS = 100;

export interface ReaderOptions {
  region: string | undefined;
  endpoint: string | undefined;
  requestTimeoutMs?: number;
  retry?: RetryOptions;
}

export type StreamOrder = { orderBy: 'LastEventTime'; descending: boolean } | { orderBy: 'LogStreamName'; prefix?: string };

export class CloudWatchReader {
  readonly client: CloudWatchLogsClient;
  readonly clock = new ServerClock();
  readonly place: RequestPlace;
  readonly #retry: RetryOptions;

  constructor(options: ReaderOptions) {
    this.place = { endpoint: options.endpoint, region: options.region };
    this.client = createLogsClient({ region: options.region, endpoint: options.endpoint, requestTimeoutMs: options.requestTimeoutMs ?? 30_000 });
    watchServerClock(this.client, this.clock);
    this.#retry = options.retry ?? DEFAULT_RETRY;
  }

  /** The region the client will use; a LogsError naming the fix when there is none. */
  async region(): Promise<string> {
    try {
      const region = await this.client.config.region();
      this.place.region = region;
      return region;
    } catch (error) {
      const text = error instanceof Error ? error.message : String(error);
      if (text === 'Region is missing') throw explain(error, 'configuration', 'the AWS region', this.place);
      throw new LogsError('ERR_LOGS_NO_REGION', `the AWS region is not usable (${text}); pass --region REGION (e.g. us-east-1), or fix AWS_REGION or the profile's region`, { cause: error });
    }
  }

  async #send<T>(operation: string, subject: string, call: (signal: AbortSignal | undefined) => Promise<T>, signal?: AbortSignal): Promise<T> {
    try {
      return await withRetry(() => call(signal), { ...this.#retry, signal });
    } catch (error) {
      if (signal?.aborted) throw error;
      throw explain(error, operation, subject, this.place);
    }
  }

  /** Log groups whose names start with `prefix` (every group without one), in ASCII order. */
  async *groups(prefix: string | undefined, signal?: AbortSignal): AsyncGenerator<LogGroup> {
    let nextToken: string | undefined;
    do {
      const input = { ...(prefix ? { logGroupNamePrefix: prefix } : {}), limit: DESCRIBE_PAGE_LIMIT, ...(nextToken ? { nextToken } : {}) };
      const page = await this.#send('DescribeLogGroups', prefix ? `log groups starting with "${prefix}"` : 'log groups', (s) => this.client.send(new DescribeLogGroupsCommand(input), { abortSignal: s }), signal);
      yield* page.logGroups ?? [];
      nextToken = page.nextToken;
    } while (nextToken);
  }

  /** The streams of `group`, in the order asked, paged to the end (or until the caller stops). */
  async *streams(group: string, order: StreamOrder, signal?: AbortSignal, pageLimit = DESCRIBE_PAGE_LIMIT): AsyncGenerator<LogStream> {
    let nextToken: string | undefined;
    do {
      const input = {
        logGroupName: group,
        orderBy: order.orderBy,
        ...(order.orderBy === 'LastEventTime' ? { descending: order.descending } : order.prefix ? { logStreamNamePrefix: order.prefix } : {}),
        limit: pageLimit,
        ...(nextToken ? { nextToken } : {}),
      };
      const page = await this.#send('DescribeLogStreams', `log group "${group}"`, (s) => this.client.send(new DescribeLogStreamsCommand(input), { abortSignal: s }), signal);
      yield* page.logStreams ?? [];
      nextToken = page.nextToken;
    } while (nextToken);
  }

  /** The stream named exactly `name`, or undefined. Names sort by prefix, so the name itself comes first. */
  async stream(group: string, name: string, signal?: AbortSignal): Promise<LogStream | undefined> {
    for await (const s of this.streams(group, { orderBy: 'LogStreamName', prefix: name }, signal, 1)) return s.logStreamName === name ? s : undefined;
    return undefined;
  }

  /**
   * Every page of one FilterLogEvents search, until no nextToken comes back: a page may be partial or empty
   * while more follow (API reference, FilterLogEvents), so neither ends the search.
   */
  async *filter(input: FilterLogEventsCommandInput, signal?: AbortSignal): AsyncGenerator<FilteredLogEvent[]> {
    const group = input.logGroupName!;
    let nextToken: string | undefined;
    do {
      const request = { ...input, ...(nextToken ? { nextToken } : {}) };
      const page = await this.#send('FilterLogEvents', `log group "${group}"`, (s) => this.client.send(new FilterLogEventsCommand(request), { abortSignal: s }), signal);
      yield page.events ?? [];
      nextToken = page.nextToken;
    } while (nextToken);
  }

  close(): void {
    this.client.destroy();
  }
}

