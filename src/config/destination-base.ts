// Options every destination has, whatever its type; each adapter's schema spreads these in.
import { z } from 'zod';
import { duration } from './duration.ts';

export const destinationBaseShape = {
  /** Unique id of this destination: names its checkpoint file and metrics label. Default: the type. */
  name: z
    .string()
    .regex(/^[a-z0-9][a-z0-9_-]{0,62}$/, 'expected lower-case letters, digits, "_" or "-" (at most 63), starting with a letter or digit')
    .optional()
    .describe('Unique id of this destination (checkpoint file name, metrics label). Default: the type, then type-2, type-3...'),
};

/** Options of the destinations that send requests, built here once; each adapter words its own descriptions. */
export const sendOptions = {
  flushInterval: () =>
    duration({ min: 10, max: 60_000 })
      .default(1000)
      .describe('A non-empty batch is sent at the latest this long after its first record arrived (e.g. "1s", "250ms")'),
  /** `description`: what runs concurrently for this destination. */
  concurrency: (defaultValue: number, description: string) => z.number().int().min(1).max(64).default(defaultValue).describe(description),
  requestTimeout: () =>
    duration({ min: 1000, max: 300_000 })
      .default(30_000)
      .describe('Longest wait for one request (connect + response); a request that takes longer is abandoned and retried'),
  gzip: () => z.boolean().default(false).describe('Compress request bodies with gzip (Content-Encoding: gzip). Limits still count uncompressed bytes'),
  /** `description`: what the destination does with an event over its limit in each mode. */
  oversize: (description: string) => z.enum(['split', 'truncate']).default('split').describe(description),
  /** `description`: what the start-up check does. */
  healthcheck: (description: string) => z.boolean().default(true).describe(description),
};
