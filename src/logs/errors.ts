// Errors of `journal-fanout logs`: what went wrong reading CloudWatch Logs, said with the fix, never a stack.
import { NETWORK_CODES } from '../../adapters/cloudwatch/retry.ts';

/** A failure the command reports as one message and an exit code (1: the request failed; 2: a usage mistake). */
export class LogsError extends Error {
  override name = 'LogsError';
  readonly code: string;
  readonly exitCode: number;
  constructor(code: string, message: string, options: { exitCode?: number; cause?: unknown } = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.code = code;
    this.exitCode = options.exitCode ?? 1;
  }
}

/** Where requests go, for messages: the endpoint if one is set, else the region's. */
export interface RequestPlace {
  endpoint: string | undefined;
  region: string | undefined;
}

interface ErrorShape {
  name?: unknown;
  code?: unknown;
  message?: unknown;
  $metadata?: { httpStatusCode?: unknown };
}

const shape = (error: unknown): ErrorShape => (typeof error === 'object' && error !== null ? (error as ErrorShape) : {});
export const errorName = (error: unknown): string => (typeof shape(error).name === 'string' ? (shape(error).name as string) : '');
const errorCode = (error: unknown): string => (typeof shape(error).code === 'string' ? (shape(error).code as string) : '');
const errorText = (error: unknown): string => (typeof shape(error).message === 'string' ? (shape(error).message as string) : String(error));

/** The SDK refused or could not use the credentials it found. */
const REFUSED_CREDENTIALS: ReadonlySet<string> = new Set([
  'UnrecognizedClientException',
  'InvalidClientTokenId',
  'InvalidSignatureException',
  'IncompleteSignature',
  'MissingAuthenticationTokenException',
  'ExpiredTokenException',
  'RequestExpired',
]);

/** The permissions the command needs, for the access-denied message (docs/logs-cli.md has the policy). */
export const READ_ACTIONS = ['logs:DescribeLogGroups', 'logs:DescribeLogStreams', 'logs:FilterLogEvents'] as const;

/** What a ResourceNotFoundException was about: the service answers "The specified log group/stream does not exist." */
export function notFound(error: unknown): 'group' | 'stream' | undefined {
  if (!(error instanceof LogsError) || error.code !== 'ERR_LOGS_NOT_FOUND') return undefined;
  return /log stream/i.test(errorText(error.cause)) ? 'stream' : 'group';
}

export function isNetworkError(error: unknown): boolean {
  const name = errorName(error);
  return NETWORK_CODES.has(errorCode(error)) || name === 'TimeoutError' || name === 'RequestTimeout';
}

function where(place: RequestPlace): string {
  if (place.endpoint !== undefined) return place.endpoint;
  return place.region === undefined ? 'its endpoint' : `the ${place.region} endpoint`;
}

/**
 * The error a failed request becomes: one sentence naming what failed, where, and the fix. `operation` is the
 * API call (DescribeLogGroups...), `subject` what it was about (`log group "/ecs/api"`).
 */
export function explain(error: unknown, operation: string, subject: string, place: RequestPlace): LogsError {
  if (error instanceof LogsError) return error;
  const name = errorName(error);
  const text = errorText(error);
  const status = shape(error).$metadata?.httpStatusCode;
  if (name === 'CredentialsProviderError') {
    return new LogsError(
      'ERR_LOGS_NO_CREDENTIALS',
      'no AWS credentials: the SDK default chain found none (AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY, AWS_PROFILE or the default profile in ~/.aws, SSO, an ECS task role, an EC2 instance profile); set one, e.g. export AWS_PROFILE=NAME',
      { cause: error },
    );
  }
  if (text === 'Region is missing') {
    return new LogsError('ERR_LOGS_NO_REGION', 'no AWS region: pass --region REGION, set AWS_REGION, or give --config a config whose cloudwatch destination sets region', { cause: error });
  }
  if (name === 'AccessDeniedException' || (status === 403 && !REFUSED_CREDENTIALS.has(name))) {
    return new LogsError(
      'ERR_LOGS_ACCESS_DENIED',
      `access denied for ${operation} on ${subject} (${text}); allow ${READ_ACTIONS.join(', ')} for these credentials (docs/logs-cli.md has a policy)`,
      { cause: error },
    );
  }
  if (REFUSED_CREDENTIALS.has(name)) {
    return new LogsError(
      'ERR_LOGS_CREDENTIALS_REFUSED',
      `CloudWatch Logs at ${where(place)} refused the credentials (${name}: ${text}); check AWS_ACCESS_KEY_ID/AWS_SECRET_ACCESS_KEY or AWS_PROFILE, refresh expired session credentials, and check that the clock is right`,
      { cause: error },
    );
  }
  if (isNetworkError(error)) {
    const code = errorCode(error) || name;
    return new LogsError(
      'ERR_LOGS_UNREACHABLE',
      `cannot reach CloudWatch Logs at ${where(place)} (${code}: ${text}); check ${place.endpoint !== undefined ? '--endpoint (or the config\'s endpoint)' : '--region'}, the network and any proxy`,
      { cause: error },
    );
  }
  if (name === 'ThrottlingException' || name === 'LimitExceededException') {
    return new LogsError('ERR_LOGS_THROTTLED', `CloudWatch Logs kept throttling ${operation} on ${subject} (${text}) after several retries; try again in a minute, or ask for less (a shorter --since, named streams)`, { cause: error });
  }
  if (name === 'InvalidParameterException') {
    return new LogsError('ERR_LOGS_INVALID_REQUEST', `CloudWatch Logs refused ${operation} on ${subject}: ${text}`, { cause: error });
  }
  if (name === 'ResourceNotFoundException') {
    return new LogsError('ERR_LOGS_NOT_FOUND', `${subject} does not exist (${operation}: ${text})`, { cause: error });
  }
  return new LogsError('ERR_LOGS_REQUEST', `${operation} on ${subject} failed at ${where(place)}: ${name || 'Error'}: ${text}`, { cause: error });
}
