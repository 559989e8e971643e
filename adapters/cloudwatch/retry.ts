// Which failures of a CloudWatch Logs request are worth retrying: a pure function of the error.
import { DestinationError } from '../../src/model/errors.ts';
import type { FailureAction } from '../../src/pipeline/destination.ts';

/** Error codes (`__type`) the same request may get past later. */
const RETRY_CODES: ReadonlySet<string> = new Set([
  'ThrottlingException',
  'ServiceUnavailableException',
  'InternalServerException',
  'InternalFailure',
  'RequestTimeout',
  'RequestTimeoutException',
  'OperationAbortedException',
  // Temporary credentials expire and the default chain fetches fresh ones; a skewed clock is re-signed.
  'ExpiredTokenException',
  'RequestExpired',
  'RequestTimeTooSkewed',
  'TimeoutError',
  'AbortError',
  // The default chain could not fetch credentials (instance metadata busy); start() reports a chain that has none.
  'CredentialsProviderError',
]);

/** Codes that mean this destination cannot work until someone fixes its credentials or IAM policy. */
const FATAL_CODES: ReadonlySet<string> = new Set([
  'UnrecognizedClientException',
  'InvalidClientTokenId',
  'InvalidSignatureException',
  'IncompleteSignature',
  'MissingAuthenticationTokenException',
  'AccessDeniedException',
]);

/** Network failures below HTTP: the endpoint may answer later. */
export const NETWORK_CODES: ReadonlySet<string> = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'ECONNABORTED',
  'ETIMEDOUT',
  'EPIPE',
  'ENOTFOUND',
  'EAI_AGAIN',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'UND_ERR_SOCKET',
]);

interface ErrorShape {
  name?: unknown;
  code?: unknown;
  message?: unknown;
  $fault?: unknown;
  $metadata?: { httpStatusCode?: unknown };
}

export function classify(error: unknown): FailureAction {
  if (error instanceof DestinationError) {
    if (error.fatal) return { action: 'fatal', reason: error.message };
    if (error.retryable) {
      return error.retryAfterMs === undefined
        ? { action: 'retry', reason: error.message }
        : { action: 'retry', reason: error.message, retryAfterMs: error.retryAfterMs };
    }
    return { action: 'reject', reason: error.message };
  }
  const e = (typeof error === 'object' && error !== null ? error : {}) as ErrorShape;
  const name = typeof e.name === 'string' ? e.name : '';
  const code = typeof e.code === 'string' ? e.code : '';
  const status = typeof e.$metadata?.httpStatusCode === 'number' ? e.$metadata.httpStatusCode : undefined;
  const text = typeof e.message === 'string' && e.message !== '' ? `${name || code || 'Error'}: ${e.message}` : String(error);

  if (FATAL_CODES.has(name) || status === 401 || status === 403) {
    return { action: 'fatal', reason: `CloudWatch Logs refused the credentials (${text}); check the AWS credentials and the IAM policy` };
  }
  if (RETRY_CODES.has(name) || NETWORK_CODES.has(code) || status === 429 || (status !== undefined && status >= 500) || e.$fault === 'server') {
    return { action: 'retry', reason: text };
  }
  if (e.$fault === 'client' || (status !== undefined && status >= 400)) return { action: 'reject', reason: text };
  // No HTTP answer at all (socket closed, DNS, TLS): worth another try.
  return { action: 'retry', reason: text };
}
