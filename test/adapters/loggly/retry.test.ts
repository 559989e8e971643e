// Which Loggly failures retry, reject or stop the destination: table-driven over statuses and transport errors.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { DestinationError } from '../../../src/model/errors.ts';
import { maskSecret, parseRetryAfter, replyError } from '../../../adapters/http/failure.ts';
import { classifyLogglyFailure, LOGGLY_STATUS } from '../../../adapters/loggly/retry.ts';

const TOKEN = 'tok-1234-secret';
const context = { destination: 'loggly', request: 'POST http://x/bulk/***/tag/web/ (3 events)', secret: TOKEN, table: LOGGLY_STATUS };
const reply = (status: number, headers: Record<string, string> = {}, body = '') => replyError({ status, headers, body }, context);

describe('classifyLogglyFailure', () => {
  const cases: Array<[name: string, error: unknown, action: 'retry' | 'reject' | 'fatal', retryAfterMs?: number]> = [
    ['403 bad token', reply(403), 'fatal'],
    ['401', reply(401), 'fatal'],
    ['404 wrong endpoint', reply(404), 'fatal'],
    ['400 malformed', reply(400), 'reject'],
    ['413 too large', reply(413), 'reject'],
    ['418 other 4xx', reply(418), 'reject'],
    ['408 request timeout', reply(408), 'retry'],
    ['429 with Retry-After seconds', reply(429, { 'retry-after': '3' }), 'retry', 3000],
    ['429 without Retry-After', reply(429), 'retry', undefined],
    ['500', reply(500), 'retry'],
    ['502', reply(502), 'retry'],
    ['503 with Retry-After', reply(503, { 'retry-after': '1' }), 'retry', 1000],
    ['504', reply(504), 'retry'],
    ['ECONNRESET', Object.assign(new Error('socket hang up'), { code: 'ECONNRESET' }), 'retry'],
    ['ECONNREFUSED', Object.assign(new Error('connect ECONNREFUSED'), { code: 'ECONNREFUSED' }), 'retry'],
    ['ETIMEDOUT (got timeout)', Object.assign(new Error('Timeout awaiting request'), { code: 'ETIMEDOUT' }), 'retry'],
    ['ENOTFOUND', Object.assign(new Error('getaddrinfo ENOTFOUND'), { code: 'ENOTFOUND' }), 'retry'],
    ['AbortError', new DOMException('aborted', 'AbortError'), 'retry'],
    ['fatal DestinationError', new DestinationError('X', 'bad', { retryable: false, fatal: true }), 'fatal'],
    ['non-retryable DestinationError', new DestinationError('X', 'bad', { retryable: false }), 'reject'],
    ['retryable DestinationError with delay', new DestinationError('X', 'later', { retryable: true, retryAfterMs: 50 }), 'retry', 50],
    ['unexpected error', new TypeError('oops'), 'retry'],
    ['a thrown string', 'weird', 'retry'],
  ];
  for (const [name, error, action, retryAfterMs] of cases) {
    test(`${name} -> ${action}`, () => {
      const verdict = classifyLogglyFailure(error);
      assert.equal(verdict.action, action);
      if (action === 'retry' && retryAfterMs !== undefined) assert.equal((verdict as { retryAfterMs?: number }).retryAfterMs, retryAfterMs);
      if (action === 'retry' && retryAfterMs === undefined && name.startsWith('429')) assert.equal((verdict as { retryAfterMs?: number }).retryAfterMs, undefined);
      assert.ok(!verdict.reason.includes(TOKEN));
    });
  }

  test('the error message names the status, the request and the fix, with the token masked even when echoed', () => {
    const error = reply(403, {}, `{"response":"token ${TOKEN} is not valid"}`);
    assert.match(error.message, /HTTP 403/);
    assert.match(error.message, /bulk\/\*\*\*\/tag\/web/);
    assert.match(error.message, /check the destination's "token" option/);
    assert.ok(!error.message.includes(TOKEN));
    assert.equal(error.fatal, true);
    assert.equal(error.retryable, false);
  });
});

describe('parseRetryAfter', () => {
  const now = Date.UTC(2026, 0, 1, 0, 0, 0);
  const cases: Array<[value: string | string[] | undefined, expected: number | undefined]> = [
    ['0', 0],
    ['2', 2000],
    [' 120 ', 120_000],
    [['5', '9'], 5000],
    [new Date(now + 7000).toUTCString(), 7000],
    [new Date(now - 7000).toUTCString(), 0],
    ['soon', undefined],
    ['-1', undefined],
    ['', undefined],
    [undefined, undefined],
  ];
  for (const [value, expected] of cases) {
    test(`${JSON.stringify(value)} -> ${expected}`, () => assert.equal(parseRetryAfter(value, now), expected));
  }
});

test('maskSecret masks the raw and the URL-encoded secret', () => {
  assert.equal(maskSecret('a tok/x b tok%2Fx', 'tok/x'), 'a *** b ***');
  assert.equal(maskSecret('nothing here', ''), 'nothing here');
});
