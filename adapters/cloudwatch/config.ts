// Options of the CloudWatch Logs destination: the zod schema is the single source of the docs and defaults.
import { z } from 'zod';
import type { DestinationDescriptor } from '../../src/pipeline/destination.ts';
import { destinationBaseShape, sendOptions } from '../../src/config/destination-base.ts';

/** Values PutRetentionPolicy accepts for retentionInDays (API reference, PutRetentionPolicy). */
export const RETENTION_DAYS = [
  1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1096, 1827, 2192, 2557, 2922, 3288, 3653,
] as const;
const RETENTION_SET: ReadonlySet<number> = new Set(RETENTION_DAYS);

/** Most tags on one log group, and their key/value lengths (API reference, CreateLogGroup / TagLogGroup). */
export const MAX_GROUP_TAGS = 50;
const MAX_TAG_KEY_LENGTH = 128;
const MAX_TAG_VALUE_LENGTH = 256;

export const cloudwatchOptionsSchema = z.strictObject({
  type: z.literal('cloudwatch'),
  ...destinationBaseShape,
  region: z
    .string()
    .regex(/^[a-z]{2}(-[a-z]+)+-\d+$/, 'expected an AWS region such as "us-east-1"')
    .optional()
    .describe('AWS region of the log groups, e.g. us-east-1. Default: the SDK default chain (AWS_REGION, the profile, the instance metadata)'),
  endpoint: z
    .url({ protocol: /^https?$/ })
    .optional()
    .describe('CloudWatch Logs endpoint URL, for VPC endpoints and tests, e.g. https://logs.us-east-1.amazonaws.com. Default: the region\'s public endpoint'),
  group: z
    .string()
    .min(1)
    .default('/journal-fanout/{service}')
    .describe('Template of the log group name, e.g. "/ecs/{service}". Characters CloudWatch refuses are replaced (see the naming rules)'),
  stream: z
    .string()
    .min(1)
    .default('{stream}')
    .describe('Template of the log stream name, e.g. "{container.name}/{container.id}". Characters CloudWatch refuses are replaced (see the naming rules)'),
  retention_days: z
    .number()
    .int()
    .refine((days) => RETENTION_SET.has(days), { message: `expected one of ${RETENTION_DAYS.join(', ')} (the values CloudWatch Logs accepts)` })
    .optional()
    .describe(`Retention set on the log groups this destination creates, in days: one of ${RETENTION_DAYS.join(', ')}. Default: none set (never expire). Existing groups are never changed`),
  create: z
    .boolean()
    .default(true)
    .describe('Create missing log groups and streams on first use. With false, records for a missing group or stream are rejected with an error naming it'),
  tags: z
    .record(z.string().min(1).max(MAX_TAG_KEY_LENGTH), z.string().max(MAX_TAG_VALUE_LENGTH))
    .refine((tags) => Object.keys(tags).length <= MAX_GROUP_TAGS, { message: `expected at most ${MAX_GROUP_TAGS} tags` })
    .optional()
    .describe('Tags set on the log groups this destination creates (key: value). Existing groups are never changed'),
  flush_interval: sendOptions.flushInterval(),
  concurrency: sendOptions.concurrency(
    8,
    'PutLogEvents requests in flight at once across all streams (one at a time per stream)',
  ),
  message_format: z
    .enum(['json', 'text'])
    .default('json')
    .describe('json: each event is the record as one JSON line (the ecs-logs shape every JSON destination sends: level, time, message, info, data); text: the plain message text'),
  oversize: sendOptions.oversize(
    'What to do with a message over the 1 MiB event limit: split it into several events, each marked "[journal-fanout part i/n]", or keep the start and mark it "[journal-fanout truncated N bytes]"',
  ),
  request_timeout: sendOptions.requestTimeout(),
  healthcheck: sendOptions.healthcheck(
    'At start-up, check that credentials resolve and that the endpoint answers DescribeLogGroups, and stop with a clear error if not',
  ),
});
export type CloudWatchOptions = z.infer<typeof cloudwatchOptionsSchema>;

// Credentials come from the SDK default chain, never from the config file.
export const cloudwatchDescriptor: DestinationDescriptor<CloudWatchOptions> = { type: 'cloudwatch', schema: cloudwatchOptionsSchema, secretKeys: [] };
