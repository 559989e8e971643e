// Options of the LogDNA (Mezmo) destination: the zod schema is the single source of the docs and defaults.
import { z } from 'zod';
import type { DestinationDescriptor } from '../../src/pipeline/destination.ts';
import { destinationBaseShape, sendOptions } from '../../src/config/destination-base.ts';

/** "There is also a maximum payload size of 10 MB" (Mezmo API reference, "Send Log Lines"); decimal, the safer reading. */
export const LOGDNA_MAX_BATCH_BYTES = 10_000_000;
/** Per-line cap of ours, the same 1 MB as Loggly's event limit: a larger line is split or truncated with a marker. */
export const LOGDNA_MAX_LINE_BYTES = 1_000_000;
/** Mezmo documents no line count per request; this bounds the memory of one batch. */
export const LOGDNA_MAX_BATCH_LINES = 50_000;
/** Mezmo's current ingestion host (Mezmo API reference, "Send Log Lines": https://logs.mezmo.com/logs/ingest). */
export const LOGDNA_DEFAULT_ENDPOINT = 'https://logs.mezmo.com';

export const logdnaOptionsSchema = z.strictObject({
  type: z.literal('logdna'),
  ...destinationBaseShape,
  key: z
    .string()
    .min(1)
    .describe('Mezmo (LogDNA) ingestion key, sent as the basic-auth user. Secret: give it as "${LOGDNA_KEY}"; it is never logged'),
  endpoint: z
    .url({ protocol: /^https?$/ })
    .default(LOGDNA_DEFAULT_ENDPOINT)
    .describe('Base URL of the ingest API; requests go to {endpoint}/logs/ingest. Older accounts may use https://logs.logdna.com'),
  app: z
    .string()
    .min(1)
    .default('{service}')
    .describe('Template of each line\'s app name, e.g. "{service}" or "{container.name}"'),
  tags: z
    .array(z.string().min(1))
    .max(100)
    .default([])
    .describe('Host tags sent in the `tags` query parameter, each a template such as "{ecs.cluster}" or "prod". Commas and spaces in a rendered tag become "_"'),
  flush_interval: sendOptions.flushInterval(),
  concurrency: sendOptions.concurrency(
    4,
    'Ingest requests in flight at once across all host/tag sets (one at a time per set)',
  ),
  max_batch_bytes: z
    .number()
    .int()
    .min(LOGDNA_MAX_LINE_BYTES)
    .max(LOGDNA_MAX_BATCH_BYTES, `expected at most ${LOGDNA_MAX_BATCH_BYTES} (Mezmo's 10 MB request limit)`)
    .default(LOGDNA_MAX_BATCH_BYTES)
    .describe(`Most bytes in one ingest request body, before compression: ${LOGDNA_MAX_LINE_BYTES} to ${LOGDNA_MAX_BATCH_BYTES} (Mezmo's limit)`),
  gzip: sendOptions.gzip(),
  oversize: sendOptions.oversize(
    'What to do with a line over 1 MB: split it into several lines, each marked "[journal-fanout part i/n]", or keep the start and mark it "[journal-fanout truncated N bytes]"',
  ),
  request_timeout: sendOptions.requestTimeout(),
  healthcheck: sendOptions.healthcheck(
    'At start-up, send an ingest request with no lines and stop with a clear error if the endpoint is unreachable or refuses the key',
  ),
});
export type LogdnaOptions = z.infer<typeof logdnaOptionsSchema>;

export const logdnaDescriptor: DestinationDescriptor<LogdnaOptions> = { type: 'logdna', schema: logdnaOptionsSchema, secretKeys: ['key'] };
