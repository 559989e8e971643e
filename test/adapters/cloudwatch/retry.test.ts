import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { InvalidParameterException, ResourceNotFoundException, ServiceUnavailableException, ThrottlingException } from '@aws-sdk/client-cloudwatch-logs';
import { classify } from '../../../adapters/cloudwatch/retry.ts';
import { DestinationError } from '../../../src/model/errors.ts';

const meta = (httpStatusCode: number) => ({ httpStatusCode, attempts: 1, totalRetryDelay: 0 });
const sdk = <T>(Type: new (o: { message: string; $metadata: object }) => T, status: number) => new Type({ message: 'x', $metadata: meta(status) });
const named = (name: string, status?: number, fault?: 'client' | 'server') =>
  Object.assign(new Error('x'), { name, ...(fault ? { $fault: fault } : {}), ...(status ? { $metadata: meta(status) } : {}) });
const net = (code: string) => Object.assign(new Error(code), { code });

const table: Array<[string, unknown, 'retry' | 'reject' | 'fatal']> = [
  ['ThrottlingException (400)', sdk(ThrottlingException, 400), 'retry'],
  ['ServiceUnavailableException (500)', sdk(ServiceUnavailableException, 500), 'retry'],
  ['InternalServerException', named('InternalServerException', 500, 'server'), 'retry'],
  ['unknown 502', named('SomethingElse', 502), 'retry'],
  ['429', named('TooManyRequests', 429, 'client'), 'retry'],
  ['ExpiredTokenException', named('ExpiredTokenException', 400, 'client'), 'retry'],
  ['credentials not fetched', named('CredentialsProviderError'), 'retry'],
  ['TimeoutError', named('TimeoutError'), 'retry'],
  ['AbortError', named('AbortError'), 'retry'],
  ['ECONNREFUSED', net('ECONNREFUSED'), 'retry'],
  ['ECONNRESET', net('ECONNRESET'), 'retry'],
  ['ENOTFOUND', net('ENOTFOUND'), 'retry'],
  ['plain Error', new Error('socket hang up'), 'retry'],
  ['InvalidParameterException', sdk(InvalidParameterException, 400), 'reject'],
  ['ResourceNotFoundException', sdk(ResourceNotFoundException, 400), 'reject'],
  ['LimitExceededException', named('LimitExceededException', 400, 'client'), 'reject'],
  ['SerializationException', named('SerializationException', 400, 'client'), 'reject'],
  ['UnrecognizedClientException', named('UnrecognizedClientException', 400, 'client'), 'fatal'],
  ['AccessDeniedException', named('AccessDeniedException', 400, 'client'), 'fatal'],
  ['InvalidSignatureException', named('InvalidSignatureException', 400, 'client'), 'fatal'],
  ['403 without a name', named('Forbidden', 403), 'fatal'],
  ['DestinationError retryable', new DestinationError('X', 'later', { retryable: true }), 'retry'],
  ['DestinationError not retryable', new DestinationError('ERR_CW_NOT_FOUND', 'missing', { retryable: false }), 'reject'],
  ['DestinationError fatal', new DestinationError('ERR_CW_CREDENTIALS', 'no credentials', { retryable: false, fatal: true }), 'fatal'],
];

describe('classify', () => {
  for (const [name, error, action] of table) {
    test(`${name} -> ${action}`, () => {
      const verdict = classify(error);
      assert.equal(verdict.action, action);
      assert.ok(verdict.reason.length > 0);
    });
  }

  test('the reason names the error', () => {
    assert.match(classify(sdk(ThrottlingException, 400)).reason, /ThrottlingException/);
    assert.match(classify(named('AccessDeniedException', 400, 'client')).reason, /IAM/);
  });

  test('a retry-after from a DestinationError is passed on', () => {
    assert.deepEqual(classify(new DestinationError('X', 'wait', { retryable: true, retryAfterMs: 1500 })), { action: 'retry', reason: 'wait', retryAfterMs: 1500 });
  });

  test('non-errors do not throw', () => {
    assert.equal(classify(undefined).action, 'retry');
    assert.equal(classify('boom').action, 'retry');
  });
});
