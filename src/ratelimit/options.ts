// The `rate_limit` config section: at most `burst` records per `interval` for each stream, with per-service overrides.
import { z } from 'zod';
import { duration } from '../config/duration.ts';

export const rateLimitOverrideSchema = z.strictObject({
  service: z
    .string()
    .min(1)
    .describe('Service name this override applies to, or a glob over service names: `*` matches any run of characters (also none), `?` exactly one; every other character matches itself'),
  interval: duration({ min: 1 })
    .optional()
    .describe('Window length for the matching services\' streams. Default: the top-level `interval`'),
  burst: z
    .number()
    .int()
    .min(0)
    .optional()
    .describe('Most records one stream of the matching services may send in one window; 0 disables rate limiting for them. Default: the top-level `burst`'),
});

export const rateLimitOptionsSchema = z.strictObject({
  interval: duration({ min: 1 }).default(60_000).describe('Length of a rate-limit window, per stream, measured on the entries\' journal timestamps'),
  burst: z.number().int().min(0).default(200_000).describe('Most records a stream may send in one window; 0 disables rate limiting'),
  overrides: z
    .array(rateLimitOverrideSchema)
    .default([])
    .describe('Per-service limits, e.g. `{ service: "api-*", interval: 10s, burst: 1000 }`; the first entry whose `service` matches the record\'s service wins, services no entry matches use the top-level limit'),
});
export type RateLimitOverride = z.infer<typeof rateLimitOverrideSchema>;
export type RateLimitOptions = z.infer<typeof rateLimitOptionsSchema>;
