// Sends one batch to CloudWatch Logs through the AWS SDK, creating its group and stream when they are missing.
import {
  type CloudWatchLogsClient,
  CreateLogGroupCommand,
  CreateLogStreamCommand,
  DescribeLogGroupsCommand,
  PutRetentionPolicyCommand,
  type RejectedLogEventsInfo,
} from '@aws-sdk/client-cloudwatch-logs';
import { DestinationError } from '../../src/model/errors.ts';
import type { Logger } from '../../src/selflog/logger.ts';
import { createLogsClient } from './client.ts';
import { PutLogEventsSender } from './put-log-events.ts';
import { putLogEventsBody, type LogEvent } from './request-builder.ts';
import { classify } from './retry.ts';

export interface CloudWatchServiceOptions {
  id: string;
  region: string | undefined;
  endpoint: string | undefined;
  requestTimeoutMs: number;
  /** PutLogEvents requests in flight at once: sockets kept open to the endpoint. */
  concurrency: number;
  create: boolean;
  retentionDays: number | undefined;
  tags: Record<string, string> | undefined;
  logger: Logger;
}

function errorName(error: unknown): string | undefined {
  return typeof error === 'object' && error !== null && typeof (error as { name?: unknown }).name === 'string'
    ? (error as { name: string }).name
    : undefined;
}

export class CloudWatchLogsService {
  readonly client: CloudWatchLogsClient;
  readonly #putLogEvents: PutLogEventsSender;
  readonly #options: CloudWatchServiceOptions;
  /** Group creations in flight, so that streams of one new group create it once. */
  readonly #creatingGroups = new Map<string, Promise<void>>();
  /** Groups and streams known to exist (created or found by this process); memory follows the stream count. */
  readonly #readyGroups = new Set<string>();
  readonly #readyStreams = new Set<string>();
  /** Groups this destination created whose retention is not set yet (PutRetentionPolicy failed). */
  readonly #pendingRetention = new Set<string>();

  constructor(options: CloudWatchServiceOptions) {
    this.#options = options;
    // The pipeline owns retries and backoff.
    this.client = createLogsClient({ region: options.region, endpoint: options.endpoint, requestTimeoutMs: options.requestTimeoutMs });
    this.#putLogEvents = new PutLogEventsSender(this.client, { maxSockets: options.concurrency });
  }

  /** Credentials resolve, the region is known, and the endpoint answers. Throws a DestinationError saying which. */
  async healthcheck(): Promise<void> {
    const id = this.#options.id;
    try {
      await this.client.config.region();
    } catch (cause) {
      throw new DestinationError('ERR_CW_REGION', `destination ${id}: no AWS region: set "region" in this destination or AWS_REGION in the environment`, {
        retryable: false,
        fatal: true,
        cause,
      });
    }
    try {
      await this.client.config.credentials();
    } catch (cause) {
      throw new DestinationError(
        'ERR_CW_CREDENTIALS',
        `destination ${id}: the AWS SDK default chain found no credentials (environment AWS_ACCESS_KEY_ID/AWS_SECRET_ACCESS_KEY, shared profile, ECS task role, instance profile); give the daemon one of them`,
        { retryable: false, fatal: true, cause },
      );
    }
    try {
      await this.client.send(new DescribeLogGroupsCommand({ limit: 1 }));
    } catch (cause) {
      const verdict = classify(cause);
      const where = this.#options.endpoint ?? `the ${await this.client.config.region()} endpoint`;
      throw new DestinationError('ERR_CW_HEALTHCHECK', `destination ${id}: CloudWatch Logs at ${where} failed DescribeLogGroups: ${verdict.reason}`, {
        retryable: verdict.action === 'retry',
        fatal: verdict.action === 'fatal',
        cause,
      });
    }
  }

  /**
   * One PutLogEvents of these events (or of this body, written for this group and stream). With `create`, a stream seen for the first time is created first (group, then stream:
   * on a fresh account no request is refused), and a stream deleted meanwhile is recreated and the put tried
   * once more.
   */
  async put(group: string, stream: string, events: Buffer | readonly LogEvent[], signal: AbortSignal): Promise<RejectedLogEventsInfo | undefined> {
    const key = `${group}:${stream}`;
    const create = this.#options.create;
    if (create && !this.#readyStreams.has(key)) {
      await this.#createStream(group, stream, signal);
      this.#readyStreams.add(key);
    }
    if (this.#pendingRetention.has(group)) await this.#setRetention(group, signal);
    // As bytes once: the signer hashes the body and the socket writes it, each converting a string again.
    const body = Buffer.isBuffer(events) ? events : Buffer.from(putLogEventsBody(group, stream, events));
    try {
      return await this.#putLogEvents.put(body, signal);
    } catch (error) {
      if (errorName(error) !== 'ResourceNotFoundException') throw error;
      if (!create) {
        throw new DestinationError(
          'ERR_CW_NOT_FOUND',
          `destination ${this.#options.id}: log group "${group}" or its stream "${stream}" does not exist and "create" is false; create them, or set create: true`,
          { retryable: false, cause: error },
        );
      }
    }
    this.#readyStreams.delete(key);
    this.#readyGroups.delete(group);
    await this.#createStream(group, stream, signal);
    this.#readyStreams.add(key);
    return this.#putLogEvents.put(body, signal);
  }

  async #createStream(group: string, stream: string, signal: AbortSignal): Promise<void> {
    if (!this.#readyGroups.has(group)) {
      await this.#createGroup(group, signal);
      this.#readyGroups.add(group);
    }
    const create = () => this.client.send(new CreateLogStreamCommand({ logGroupName: group, logStreamName: stream }), { abortSignal: signal });
    try {
      await create();
      return;
    } catch (error) {
      const name = errorName(error);
      if (name === 'ResourceAlreadyExistsException') return;
      if (name !== 'ResourceNotFoundException') throw error;
    }
    // The group went away since we last saw it.
    await this.#createGroup(group, signal);
    try {
      await create();
    } catch (error) {
      if (errorName(error) !== 'ResourceAlreadyExistsException') throw error;
    }
  }

  #createGroup(group: string, signal: AbortSignal): Promise<void> {
    let creating = this.#creatingGroups.get(group);
    if (!creating) {
      creating = this.#doCreateGroup(group, signal).finally(() => this.#creatingGroups.delete(group));
      this.#creatingGroups.set(group, creating);
    }
    return creating;
  }

  async #doCreateGroup(group: string, signal: AbortSignal): Promise<void> {
    const { tags, retentionDays } = this.#options;
    try {
      await this.client.send(new CreateLogGroupCommand({ logGroupName: group, ...(tags ? { tags } : {}) }), { abortSignal: signal });
    } catch (error) {
      // Someone else made it: its retention and tags are theirs to choose.
      if (errorName(error) === 'ResourceAlreadyExistsException') return;
      throw error;
    }
    this.#options.logger.info({ group, retentionDays }, 'created CloudWatch log group');
    if (retentionDays !== undefined) {
      this.#pendingRetention.add(group);
      await this.#setRetention(group, signal);
    }
  }

  async #setRetention(group: string, signal: AbortSignal): Promise<void> {
    await this.client.send(new PutRetentionPolicyCommand({ logGroupName: group, retentionInDays: this.#options.retentionDays }), { abortSignal: signal });
    this.#pendingRetention.delete(group);
  }

  close(): void {
    this.#putLogEvents.close();
    this.client.destroy();
  }
}
