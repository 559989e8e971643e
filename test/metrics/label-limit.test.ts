// Reason labels stay short and few, whatever error texts the destinations produce.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { LabelLimiter, reasonLabel } from '../../src/metrics/label-limit.ts';

test('reasonLabel keeps the recognizable part of a reason', () => {
  const cases: Array<[string, string]> = [
    ['HTTP 503', 'HTTP 503'],
    ['Loggly answered HTTP 429 (request id 8f1e...)', 'HTTP 429'],
    ['ThrottlingException: Rate exceeded for logStreamName abc', 'ThrottlingException'],
    ['ECONNRESET', 'ECONNRESET'],
    ['connect ECONNREFUSED 127.0.0.1:443', 'ECONNREFUSED'],
    ['ERR_HTTP_TIMEOUT', 'ERR_HTTP_TIMEOUT'],
    ['request timed out after 30000 ms', 'request timed out after N ms'],
    ['CloudWatch Logs rejected events older than 14 days', 'CloudWatch Logs rejected events older than N days'],
    ['', 'unknown'],
  ];
  for (const [reason, label] of cases) assert.equal(reasonLabel(reason), label, reason);
  assert.equal(reasonLabel('x'.repeat(500)).length, 80);
});

test('LabelLimiter folds values past the cap into "other", per scope', () => {
  const limiter = new LabelLimiter(3);
  assert.deepEqual(['a', 'b', 'c', 'd', 'a', 'e'].map((v) => limiter.value('s1', v)), ['a', 'b', 'c', 'other', 'a', 'other']);
  assert.equal(limiter.value('s2', 'd'), 'd', 'each scope has its own budget');
});
