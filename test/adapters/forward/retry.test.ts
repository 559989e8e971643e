// Which forward failures retry and which stop the destination: table-driven over every error code and raw errors.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { ForwardError, type ForwardErrorCode } from '../../../adapters/forward/errors.ts';
import { classifyForwardFailure, FORWARD_ACTIONS } from '../../../adapters/forward/retry.ts';
import { DestinationError } from '../../../src/model/errors.ts';

describe('classifyForwardFailure', () => {
  const cases: Array<[name: string, error: unknown, action: 'retry' | 'fatal']> = [
    ['no server took the batch', new ForwardError('ERR_FORWARD_UNAVAILABLE', 'no forward server took the batch'), 'retry'],
    ['every server refused us', new ForwardError('ERR_FORWARD_REFUSED', 'every forward server refused this client'), 'fatal'],
    ['connect refused or timed out', new ForwardError('ERR_FORWARD_CONNECT', 'cannot connect'), 'retry'],
    ['certificate failed verification', new ForwardError('ERR_FORWARD_TLS', 'TLS: the certificate failed verification'), 'fatal'],
    ['handshake refused', new ForwardError('ERR_FORWARD_AUTH', 'the server refused the handshake'), 'fatal'],
    ['no HELO / malformed PONG', new ForwardError('ERR_FORWARD_HANDSHAKE', 'sent no HELO'), 'retry'],
    ['connection closed before the ack', new ForwardError('ERR_FORWARD_CLOSED', 'closed'), 'retry'],
    ['ack timeout', new ForwardError('ERR_FORWARD_ACK_TIMEOUT', 'no ack'), 'retry'],
    ['wrong ack', new ForwardError('ERR_FORWARD_PROTOCOL', 'acknowledged another chunk'), 'retry'],
    ['raw ECONNRESET', Object.assign(new Error('read ECONNRESET'), { code: 'ECONNRESET' }), 'retry'],
    ['raw EPIPE', Object.assign(new Error('write EPIPE'), { code: 'EPIPE' }), 'retry'],
    ['raw ECONNREFUSED', Object.assign(new Error('connect ECONNREFUSED'), { code: 'ECONNREFUSED' }), 'retry'],
    ['AbortError', new DOMException('aborted', 'AbortError'), 'retry'],
    ['fatal DestinationError', new DestinationError('X', 'bad', { retryable: false, fatal: true }), 'fatal'],
    ['retryable DestinationError', new DestinationError('X', 'later', { retryable: true }), 'retry'],
    ['unexpected error', new TypeError('oops'), 'retry'],
    ['a thrown string', 'weird', 'retry'],
  ];
  for (const [name, error, action] of cases) {
    test(`${name} -> ${action}`, () => {
      const verdict = classifyForwardFailure(error);
      assert.equal(verdict.action, action);
      // A fatal verdict carries the whole message (it is logged as why the destination stopped).
      if (action === 'fatal' && error instanceof Error) assert.equal(verdict.reason, error.message);
    });
  }

  test('every code is in the table, and ForwardError flags agree with it', () => {
    const codes = Object.keys(FORWARD_ACTIONS) as ForwardErrorCode[];
    assert.equal(codes.length, 9);
    for (const code of codes) {
      const e = new ForwardError(code, 'x');
      assert.equal(e.fatal, FORWARD_ACTIONS[code] === 'fatal', code);
      assert.equal(e.retryable, FORWARD_ACTIONS[code] === 'retry', code);
      assert.equal(e.refused, FORWARD_ACTIONS[code] === 'fatal', code);
      assert.ok(e instanceof DestinationError);
    }
  });
});
