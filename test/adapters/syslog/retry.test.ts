// Which syslog failures retry and which stop the destination: a table, as Vector's retry.rs tests it.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { classifySyslogFailure, describeConnectError } from '../../../adapters/syslog/retry.ts';
import { DestinationError } from '../../../src/model/errors.ts';

const err = (code: string, message = `boom ${code}`) => Object.assign(new Error(message), { code });
const WHERE = 'tls://logs.example.com:6514';

const cases: Array<[string, unknown, 'retry' | 'fatal', RegExp?]> = [
  ['connection refused', describeConnectError(err('ECONNREFUSED'), WHERE, true), 'retry', /nothing listens there/],
  ['reset', describeConnectError(err('ECONNRESET'), WHERE, true), 'retry', /reset the connection/],
  ['DNS failure', describeConnectError(err('ENOTFOUND'), WHERE, true), 'retry', /does not resolve: check the host in url/],
  ['connect timeout', describeConnectError(err('ETIMEDOUT'), WHERE, false), 'retry', /check the host, the port and any firewall/],
  ['plain TCP port behind tls://', describeConnectError(err('ERR_SSL_WRONG_VERSION_NUMBER'), WHERE, true), 'retry', /is this a plain TCP port\? use tcp:\/\//],
  ['unknown CA', describeConnectError(err('UNABLE_TO_VERIFY_LEAF_SIGNATURE'), WHERE, true), 'fatal', /set tls\.ca to the PEM file of the CA/],
  ['self-signed', describeConnectError(err('DEPTH_ZERO_SELF_SIGNED_CERT'), WHERE, true), 'fatal', /self-signed/],
  ['expired', describeConnectError(err('CERT_HAS_EXPIRED'), WHERE, true), 'fatal', /expired/],
  ['wrong name', describeConnectError(err('ERR_TLS_CERT_ALTNAME_INVALID'), WHERE, true), 'fatal', /set tls\.server_name/],
  ['client certificate refused', describeConnectError(err('ERR_SSL_TLSV13_ALERT_CERTIFICATE_REQUIRED'), WHERE, true), 'fatal', /check tls\.cert and tls\.key/],
  ['connection lost mid-batch', new DestinationError('EPIPE', `${WHERE}: write EPIPE`, { retryable: true }), 'retry'],
  ['a raw socket error', err('EPIPE'), 'retry'],
  ['a raw certificate error', err('CERT_HAS_EXPIRED'), 'fatal'],
  ['an abort', Object.assign(new Error('aborted'), { name: 'AbortError' }), 'retry'],
  ['anything else', new TypeError('x is undefined'), 'retry'],
  // Syslog has no way to refuse a message: even a non-retryable DestinationError is retried, never dropped.
  ['a non-retryable DestinationError', new DestinationError('X', 'x', { retryable: false }), 'retry'],
];

for (const [name, error, action, hint] of cases) {
  test(`${name} -> ${action}`, () => {
    const verdict = classifySyslogFailure(error);
    assert.equal(verdict.action, action);
    if (hint) {
      assert.match(verdict.reason, hint);
      assert.ok(verdict.reason.startsWith(WHERE), `names the place: ${verdict.reason}`);
    }
  });
}

test('nothing is ever rejected (acknowledged unsent)', () => {
  for (const [, error] of cases) assert.notEqual(classifySyslogFailure(error).action, 'reject');
});
