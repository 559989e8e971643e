// Retries of one read request: throttling and server faults are retried with backoff, everything else is final.
import { setTimeout as sleep } from 'node:timers/promises';
import { backoffDelay, type BackoffOptions } from '../pipeline/backoff.ts';
import { errorName } from './errors.ts';

/**
 * Error names worth another try. FilterLogEvents allows 5 requests a second per account and region, and
 * DescribeLogStreams 25 (CloudWatch Logs service quotas): several people reading at once are throttled
 * (ThrottlingException, HTTP 400) and must back off, not fail.
 */
const RETRY_NAMES: ReadonlySet<string> = new Set([
  'ThrottlingException',
  'RequestLimitExceeded',
  'LimitExceededException',
  'ServiceUnavailableException',
  'InternalFailure',
  'InternalServerException',
  'RequestTimeout',
  'RequestTimeoutException',
  'TimeoutError',
]);

/** A connection dropped mid-request is worth another try; a refused one or an unknown host is not (it is reported at once). */
const RETRY_CODES: ReadonlySet<string> = new Set(['ECONNRESET', 'EPIPE', 'ETIMEDOUT', 'UND_ERR_SOCKET']);

export function isRetryable(error: unknown): boolean {
  if (typeof error !== 'object' || error === null) return false;
  const e = error as { code?: unknown; $metadata?: { httpStatusCode?: unknown }; $fault?: unknown };
  const status = e.$metadata?.httpStatusCode;
  return RETRY_NAMES.has(errorName(error)) || (typeof e.code === 'string' && RETRY_CODES.has(e.code)) || status === 429 || (typeof status === 'number' && status >= 500);
}

export interface RetryOptions {
  /** Tries in all, the first included. */
  attempts: number;
  backoff: BackoffOptions;
  signal?: AbortSignal | undefined;
}

/** Up to 6 tries over about 8 s: a throttled burst clears, a dead service is reported soon. */
export const DEFAULT_RETRY: RetryOptions = { attempts: 6, backoff: { initialMs: 250, maxMs: 4000 } };

/** Runs `call` until it succeeds, fails for good, or the tries are used up (then its last error is thrown). */
export async function withRetry<T>(call: () => Promise<T>, options: RetryOptions = DEFAULT_RETRY): Promise<T> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await call();
    } catch (error) {
      if (attempt >= options.attempts || !isRetryable(error) || options.signal?.aborted) throw error;
      await sleep(backoffDelay(attempt, options.backoff), undefined, options.signal ? { signal: options.signal } : undefined);
    }
  }
}
