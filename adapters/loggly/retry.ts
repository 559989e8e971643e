// Which Loggly failures are worth retrying: a pure function of the error; the pipeline owns the backoff.
import type { FailureAction } from '../../src/pipeline/destination.ts';
import { classifyHttpFailure, type StatusTable } from '../http/failure.ts';

/**
 * What Loggly's bulk endpoint statuses mean (DESIGN.md "Destination facts": 403 is a bad token, 5xx and
 * network errors are retried). A wrong path or token never heals by itself, so those stop the destination
 * instead of acknowledging every batch as refused. Unlisted: 408, 429 and 5xx retry, other 4xx reject the batch.
 */
export const LOGGLY_STATUS: StatusTable = {
  400: { action: 'reject', hint: 'Loggly refused the request body; the batch is counted as rejected' },
  401: { action: 'fatal', hint: 'Loggly refused the customer token: check the destination\'s "token" option (Source Setup > Customer Tokens)' },
  403: { action: 'fatal', hint: 'Loggly refused the customer token: check the destination\'s "token" option (Source Setup > Customer Tokens)' },
  404: { action: 'fatal', hint: 'no bulk endpoint at this URL: check the destination\'s "endpoint" option (default https://logs-01.loggly.com)' },
  413: { action: 'reject', hint: 'the batch is over Loggly\'s 5 MB limit: lower "max_batch_bytes"; the batch is counted as rejected' },
};

export function classifyLogglyFailure(error: unknown): FailureAction {
  return classifyHttpFailure(error, LOGGLY_STATUS);
}
