// The `rate_limit` options: defaults, durations, overrides, strictness, and a description on every key.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import type { z } from 'zod';
import { rateLimitOptionsSchema, rateLimitOverrideSchema } from '../../src/ratelimit/options.ts';

describe('rateLimitOptionsSchema', () => {
  test('defaults: 200000 records per 60 s, no overrides', () => {
    assert.deepEqual(rateLimitOptionsSchema.parse({}), { interval: 60_000, burst: 200_000, overrides: [] });
  });

  test('overrides take a service name or glob, a duration and a burst, each optional but the service', () => {
    const parsed = rateLimitOptionsSchema.parse({
      interval: '30s',
      burst: 5000,
      overrides: [{ service: 'api-*', interval: '10s', burst: 1000 }, { service: 'batch', burst: 0 }, { service: 'slow-?', interval: 500 }],
    });
    assert.deepEqual(parsed, {
      interval: 30_000,
      burst: 5000,
      overrides: [{ service: 'api-*', interval: 10_000, burst: 1000 }, { service: 'batch', burst: 0 }, { service: 'slow-?', interval: 500 }],
    });
  });

  test('rejects unknown keys, an empty service, a negative burst and a zero interval', () => {
    assert.equal(rateLimitOptionsSchema.safeParse({ bursts: 10 }).success, false);
    assert.equal(rateLimitOptionsSchema.safeParse({ overrides: [{ service: 'a', rate: 1 }] }).success, false);
    assert.equal(rateLimitOptionsSchema.safeParse({ overrides: [{ service: '', burst: 1 }] }).success, false);
    assert.equal(rateLimitOptionsSchema.safeParse({ overrides: [{ burst: 1 }] }).success, false);
    assert.equal(rateLimitOptionsSchema.safeParse({ burst: -1 }).success, false);
    assert.equal(rateLimitOptionsSchema.safeParse({ burst: 1.5 }).success, false);
    assert.equal(rateLimitOptionsSchema.safeParse({ interval: '0s' }).success, false);
    assert.equal(rateLimitOptionsSchema.safeParse({ overrides: [{ service: 'a', interval: 'soon' }] }).success, false);
  });

  test('every option carries a description (the reference docs are generated from them)', () => {
    const shapes: Array<[string, Record<string, z.ZodType>]> = [
      ['rate_limit', rateLimitOptionsSchema.shape],
      ['rate_limit.overrides[]', rateLimitOverrideSchema.shape],
    ];
    for (const [where, shape] of shapes) {
      for (const [key, schema] of Object.entries(shape)) {
        assert.ok(schema.description && schema.description.length > 10, `${where}.${key} has no description`);
      }
    }
  });
});
