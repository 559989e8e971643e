// Options of the Loggly destination: the zod schema is the single source of the docs and defaults.
import { z } from 'zod';
import type { DestinationDescriptor } from '../../src/pipeline/destination.ts';
import { destinationBaseShape, sendOptions } from '../../src/config/destination-base.ts';

/**
 * Loggly bulk endpoint limits: "a maximum of 5MB per batch and up to 1MB per event" (Loggly docs, "HTTP/S Bulk
 * Endpoint"). Counted in decimal megabytes: the docs do not say which, and the smaller reading is always accepted.
 */
export const LOGGLY_MAX_BATCH_BYTES = 5_000_000;
export const LOGGLY_MAX_EVENT_BYTES = 1_000_000;
/** Loggly documents no event count per bulk request; this bounds the memory of one batch. */
export const LOGGLY_MAX_BATCH_EVENTS = 50_000;
/** Loggly's public bulk endpoint host (Loggly docs, "HTTP/S Bulk Endpoint"). */
export const LOGGLY_DEFAULT_ENDPOINT = 'https://logs-01.loggly.com';

export const logglyOptionsSchema = z.strictObject({
  type: z.literal('loggly'),
  ...destinationBaseShape,
  token: z
    .string()
    .min(1)
    .regex(/^[^/\s?#]+$/, 'expected a Loggly customer token (no "/", "?", "#" or spaces)')
    .describe('Loggly customer token (Source Setup > Customer Tokens). Secret: give it as "${LOGGLY_TOKEN}"; it is never logged'),
  endpoint: z
    .url({ protocol: /^https?$/ })
    .default(LOGGLY_DEFAULT_ENDPOINT)
    .describe('Base URL of the Loggly bulk endpoint; requests go to {endpoint}/bulk/{token}/tag/{tags}/'),
  tags: z
    .array(z.string().min(1))
    .max(100)
    .default(['{service}'])
    .describe('Loggly tags, each a template such as "{service}" or "env-prod". Characters Loggly refuses become "_"; empty tags are left out'),
  flush_interval: sendOptions.flushInterval(),
  concurrency: sendOptions.concurrency(
    4,
    'Bulk requests in flight at once across all tag sets (one at a time per tag set)',
  ),
  max_batch_bytes: z
    .number()
    .int()
    .min(LOGGLY_MAX_EVENT_BYTES)
    .max(LOGGLY_MAX_BATCH_BYTES, `expected at most ${LOGGLY_MAX_BATCH_BYTES} (Loggly's 5 MB bulk limit)`)
    .default(LOGGLY_MAX_BATCH_BYTES)
    .describe(`Most bytes in one bulk request, before compression: ${LOGGLY_MAX_EVENT_BYTES} to ${LOGGLY_MAX_BATCH_BYTES} (Loggly's limit)`),
  gzip: sendOptions.gzip(),
  oversize: sendOptions.oversize(
    'What to do with an event over Loggly\'s 1 MB limit: split its message into several events, each marked "[journal-fanout part i/n]", or keep the start and mark it "[journal-fanout truncated N bytes]"',
  ),
  request_timeout: sendOptions.requestTimeout(),
  healthcheck: sendOptions.healthcheck(
    'At start-up, send an empty bulk request and stop with a clear error if the endpoint is unreachable or refuses the token',
  ),
});
export type LogglyOptions = z.infer<typeof logglyOptionsSchema>;

export const logglyDescriptor: DestinationDescriptor<LogglyOptions> = { type: 'loggly', schema: logglyOptionsSchema, secretKeys: ['token'] };
