// Which LogDNA (Mezmo) failures are worth retrying: a pure function of the error; the pipeline owns the backoff.
import type { FailureAction } from '../../src/pipeline/destination.ts';
import { classifyHttpFailure, type StatusTable } from '../http/failure.ts';

const BAD_KEY = 'Mezmo refused the ingestion key: check the destination\'s "key" option (Settings > Organization > API Keys > Ingestion Keys)';

/**
 * What the ingest API's statuses mean (DESIGN.md "Destination facts": retry 429, 5xx and network errors;
 * 401/403 are fatal for this destination). A wrong path never heals by itself, so 404 stops the destination too.
 * Unlisted: 408, 429 and 5xx retry, other 4xx reject the batch.
 */
export const LOGDNA_STATUS: StatusTable = {
  400: { action: 'reject', hint: 'Mezmo refused the request body; the batch is counted as rejected' },
  401: { action: 'fatal', hint: BAD_KEY },
  403: { action: 'fatal', hint: BAD_KEY },
  404: { action: 'fatal', hint: 'no ingest API at this URL: check the destination\'s "endpoint" option (default https://logs.mezmo.com)' },
  413: { action: 'reject', hint: 'the request is over Mezmo\'s 10 MB limit: lower "max_batch_bytes"; the batch is counted as rejected' },
};

export function classifyLogdnaFailure(error: unknown): FailureAction {
  return classifyHttpFailure(error, LOGDNA_STATUS);
}
