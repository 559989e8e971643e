// Which Mezmo (LogDNA) failures retry, reject or stop the destination, and how a 207 reply is read per line.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { replyError } from '../../../adapters/http/failure.ts';
import { readPartial } from '../../../adapters/logdna/partial.ts';
import { classifyLogdnaFailure, LOGDNA_STATUS } from '../../../adapters/logdna/retry.ts';

const KEY = 'ingest-key-0123456789abcdef';
const context = { destination: 'logdna', request: 'POST http://x/logs/ingest?hostname=h (3 lines)', secret: KEY, table: LOGDNA_STATUS };
const reply = (status: number, headers: Record<string, string> = {}, body = '') => replyError({ status, headers, body }, context);

describe('classifyLogdnaFailure', () => {
  const cases: Array<[name: string, error: unknown, action: 'retry' | 'reject' | 'fatal', retryAfterMs?: number]> = [
    ['401 bad key', reply(401), 'fatal'],
    ['403 bad key', reply(403), 'fatal'],
    ['404 wrong endpoint', reply(404), 'fatal'],
    ['400 malformed', reply(400), 'reject'],
    ['413 too large', reply(413), 'reject'],
    ['422 other 4xx', reply(422), 'reject'],
    ['429 with Retry-After', reply(429, { 'retry-after': '2' }), 'retry', 2000],
    ['429 with an HTTP-date Retry-After in the past', reply(429, { 'retry-after': 'Wed, 21 Oct 2015 07:28:00 GMT' }), 'retry', 0],
    ['500', reply(500), 'retry'],
    ['503', reply(503), 'retry'],
    ['ECONNRESET', Object.assign(new Error('socket hang up'), { code: 'ECONNRESET' }), 'retry'],
    ['EAI_AGAIN', Object.assign(new Error('getaddrinfo EAI_AGAIN'), { code: 'EAI_AGAIN' }), 'retry'],
    ['AbortError', new DOMException('aborted', 'AbortError'), 'retry'],
  ];
  for (const [name, error, action, retryAfterMs] of cases) {
    test(`${name} -> ${action}`, () => {
      const verdict = classifyLogdnaFailure(error);
      assert.equal(verdict.action, action);
      if (retryAfterMs !== undefined) assert.equal((verdict as { retryAfterMs?: number }).retryAfterMs, retryAfterMs);
    });
  }

  test('the 401 message names the fix and masks the key the server echoed', () => {
    const error = reply(401, {}, `{"error":"key ${KEY} unknown"}`);
    assert.match(error.message, /check the destination's "key" option/);
    assert.ok(!error.message.includes(KEY));
  });
});

describe('readPartial (207 bodies)', () => {
  const cases: Array<[name: string, body: string, count: number, expected: ReturnType<typeof readPartial>]> = [
    ['errors with indexes', '{"errors":[{"index":1,"status":400,"error":"bad meta"},{"index":3,"status":503}]}', 4, { rejected: [{ index: 1, reason: 'line refused by Mezmo (HTTP 400: bad meta)' }], retry: [3] }],
    ['one result per line, by position', '{"lines":[{"status":200},{"status":429},{"status":200}]}', 3, { rejected: [], retry: [1] }],
    ['a top-level array', '[{"index":0,"error":"too deep"}]', 2, { rejected: [{ index: 0, reason: 'line refused by Mezmo (HTTP 400: too deep)' }], retry: [] }],
    ['indexes out of range are ignored', '{"errors":[{"index":9,"status":400}]}', 2, { rejected: [], retry: [] }],
    ['no per-line results', '{"status":"ok"}', 2, undefined],
    ['not JSON', 'Multi-Status', 2, undefined],
  ];
  for (const [name, body, count, expected] of cases) test(name, () => assert.deepEqual(readPartial(body, count), expected));
});
