import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { cloudwatchOptionsSchema, RETENTION_DAYS } from '../../../adapters/cloudwatch/config.ts';

describe('cloudwatch options', () => {
  test('defaults', () => {
    const o = cloudwatchOptionsSchema.parse({ type: 'cloudwatch' });
    assert.equal(o.group, '/journal-fanout/{service}');
    assert.equal(o.stream, '{stream}');
    assert.equal(o.create, true);
    assert.equal(o.flush_interval, 1000);
    assert.equal(o.concurrency, 8);
    assert.equal(o.message_format, 'json');
    assert.equal(o.oversize, 'split');
    assert.equal(o.request_timeout, 30_000);
    assert.equal(o.retention_days, undefined);
  });

  test('durations are parsed to milliseconds', () => {
    const o = cloudwatchOptionsSchema.parse({ type: 'cloudwatch', flush_interval: '250ms', request_timeout: '1m' });
    assert.equal(o.flush_interval, 250);
    assert.equal(o.request_timeout, 60_000);
  });

  test('every retention value CloudWatch accepts is accepted, others are refused with the list', () => {
    for (const days of RETENTION_DAYS) assert.equal(cloudwatchOptionsSchema.parse({ type: 'cloudwatch', retention_days: days }).retention_days, days);
    for (const days of [0, 2, 31, 10000, 1.5]) {
      const r = cloudwatchOptionsSchema.safeParse({ type: 'cloudwatch', retention_days: days });
      assert.equal(r.success, false, `retention_days ${days}`);
    }
    const r = cloudwatchOptionsSchema.safeParse({ type: 'cloudwatch', retention_days: 31 });
    assert.match(JSON.stringify(r.error?.issues), /1, 3, 5, 7, 14, 30/);
  });

  test('unknown keys, bad regions and bad endpoints are refused', () => {
    assert.equal(cloudwatchOptionsSchema.safeParse({ type: 'cloudwatch', regoin: 'us-east-1' }).success, false);
    assert.equal(cloudwatchOptionsSchema.safeParse({ type: 'cloudwatch', region: 'US East' }).success, false);
    assert.equal(cloudwatchOptionsSchema.safeParse({ type: 'cloudwatch', endpoint: 'ftp://x' }).success, false);
    assert.equal(cloudwatchOptionsSchema.safeParse({ type: 'cloudwatch', concurrency: 0 }).success, false);
    assert.equal(cloudwatchOptionsSchema.safeParse({ type: 'cloudwatch', tags: Object.fromEntries(Array.from({ length: 51 }, (_, i) => [`k${i}`, 'v'])) }).success, false);
  });

  test('every option has a description', () => {
    for (const [key, schema] of Object.entries(cloudwatchOptionsSchema.shape)) {
      if (key === 'type') continue;
      assert.ok(schema.description && schema.description.length > 10, `option ${key} has no description`);
    }
  });
});
