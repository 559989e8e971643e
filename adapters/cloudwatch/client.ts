// The CloudWatch Logs SDK client as journal-fanout builds it, for the destination and for `journal-fanout logs`.
import { CloudWatchLogsClient } from '@aws-sdk/client-cloudwatch-logs';
import { Sha256 } from './sha256.ts';

/** Bounded wait for a TCP connection; the request as a whole is bounded by the caller's request timeout. */
export const CONNECT_TIMEOUT_MS = 5000;

export interface LogsClientOptions {
  /** AWS region; undefined: the SDK default chain (AWS_REGION, the profile, instance metadata). */
  region: string | undefined;
  /** Endpoint URL (VPC endpoints, tests); undefined: the region's public endpoint. */
  endpoint: string | undefined;
  requestTimeoutMs: number;
}

/**
 * A client whose credentials come from the SDK default chain (environment, profile, SSO, ECS task role,
 * instance profile), never from a config file. It makes one attempt per request: each caller owns its retries
 * and backoff, as the SDK's own would hide failures and double the waits.
 */
export function createLogsClient(options: LogsClientOptions): CloudWatchLogsClient {
  return new CloudWatchLogsClient({
    ...(options.region === undefined ? {} : { region: options.region }),
    ...(options.endpoint === undefined ? {} : { endpoint: options.endpoint }),
    maxAttempts: 1,
    // The same digests as the SDK's default hash, with HMAC keys imported once (see sha256.ts).
    sha256: Sha256,
    requestHandler: { requestTimeout: options.requestTimeoutMs, connectionTimeout: CONNECT_TIMEOUT_MS },
  });
}
