// Public names of the rate limiter: per-stream windows with visible drop notices (DESIGN.md "Rate limiting").
export { StreamRateLimiter, type RateLimitCounters } from './limiter.ts';
export { rateLimitOptionsSchema, rateLimitOverrideSchema, type RateLimitOptions, type RateLimitOverride } from './options.ts';
export { compileGlob, type GlobMatcher } from './glob.ts';
