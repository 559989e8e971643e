// The syslog destination's options: defaults, URL and cross-option checks, descriptions, the secret key.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import syslog from '../../../adapters/syslog/index.ts';
import { DEFAULT_SETTLE_MS, parseSyslogUrl, syslogOptionsSchema } from '../../../adapters/syslog/config.ts';
import { ConfigError } from '../../../src/model/errors.ts';
import { capturedLogger } from '../../standins/sample-records.ts';

const parse = (o: Record<string, unknown>) => syslogOptionsSchema.safeParse({ type: 'syslog', ...o });
const issues = (o: Record<string, unknown>) => JSON.stringify(parse(o).error?.issues ?? []);

describe('syslog: options', () => {
  test('defaults: RFC 5424, JSON messages, facility user, {service} / {host} / {stream}, TLS verified, settle_time', () => {
    const o = syslogOptionsSchema.parse({ type: 'syslog', url: 'tcp://logs.example.com:6514' });
    assert.equal(o.format, 'rfc5424');
    assert.equal(o.framing, undefined, 'octet-counting is chosen for tcp/tls by the destination');
    assert.equal(o.message, 'json');
    assert.equal(o.facility, 'user');
    assert.equal(o.app_name, '{service}');
    assert.equal(o.hostname, '{host}');
    assert.equal(o.procid, '{stream}');
    assert.equal(o.msgid, '-');
    assert.equal(o.settle_time, DEFAULT_SETTLE_MS);
    assert.equal(o.oversize, 'split');
    assert.equal(o.connect_timeout, 10_000);
    assert.equal(o.healthcheck, true);
    assert.equal(syslogOptionsSchema.parse({ type: 'syslog', url: 'tls://h', tls: {} }).tls?.verify, true);
    assert.deepEqual(syslog.secretKeys, ['structured_data']);
  });

  const urls: Array<[string, ReturnType<typeof parseSyslogUrl>]> = [
    ['udp://10.0.0.1', { transport: 'udp', host: '10.0.0.1', port: 514 }],
    ['tcp://logs.example.com:601', { transport: 'tcp', host: 'logs.example.com', port: 601 }],
    ['tls://logs.example.com', { transport: 'tls', host: 'logs.example.com', port: 6514 }],
    ['tls://[::1]:7000', { transport: 'tls', host: '::1', port: 7000 }],
    ['http://logs.example.com', 'expected udp://HOST:PORT, tcp://HOST:PORT or tls://HOST:PORT'],
    ['tcp://logs.example.com:99999', 'expected udp://HOST:PORT, tcp://HOST:PORT or tls://HOST:PORT (not a valid URL)'],
    ['tcp://user:pw@logs.example.com', 'expected only a host and a port, without user, path, query or fragment'],
    ['tcp://logs.example.com/path', 'expected only a host and a port, without user, path, query or fragment'],
  ];
  for (const [url, expected] of urls) test(`url ${url}`, () => assert.deepEqual(parseSyslogUrl(url), expected));

  test('a bad url is a schema error naming it', () => {
    assert.match(issues({ url: 'syslog.example.com:514' }), /expected udp:\/\/HOST:PORT.*got \\"syslog\.example\.com:514\\"/);
  });

  const refused: Array<[string, Record<string, unknown>, RegExp]> = [
    ['framing over UDP', { url: 'udp://h', framing: 'newline' }, /framing applies to tcp:\/\/ and tls:\/\/ only/],
    ['tls options on tcp://', { url: 'tcp://h', tls: { verify: false } }, /tls options need a tls:\/\/ url \(url is tcp:\/\/\)/],
    ['a client cert without its key', { url: 'tls://h', tls: { cert: '/c.pem' } }, /give both cert and key/],
    ['a datagram over 65,507 bytes', { url: 'udp://h', max_message_bytes: 70_000 }, /at most 65507 over udp/],
    ['max_message_bytes under RFC 5424\'s 480', { url: 'tcp://h', max_message_bytes: 100 }, /too_small/],
    ['an unknown facility', { url: 'tcp://h', facility: 'local8' }, /invalid/],
    ['facility 24', { url: 'tcp://h', facility: 24 }, /too_big/],
    ['an unknown key', { url: 'tcp://h', verify: false }, /unrecognized_keys/],
    ['settle_time not under request_timeout', { url: 'tcp://h', settle_time: '5s', request_timeout: '5s' }, /must be shorter than request_timeout \(5000 ms\)/],
  ];
  for (const [name, o, error] of refused) {
    test(`refused: ${name}`, () => {
      assert.equal(parse(o).success, false);
      assert.match(issues(o), error);
    });
  }

  test('every option has a description (the docs are generated from them)', () => {
    for (const [name, schema] of Object.entries(syslogOptionsSchema.shape)) {
      if (name === 'type') continue;
      assert.ok((schema as { description?: string }).description, `${name} has no description`);
    }
  });

  test('unreadable or non-PEM certificate files are config errors naming the option and the file', () => {
    const make = (tls: Record<string, unknown>) => () =>
      syslog.create(syslogOptionsSchema.parse({ type: 'syslog', url: 'tls://127.0.0.1', tls }), { id: 'loghost', host: 'h', logger: capturedLogger().logger });
    assert.throws(make({ ca: '/nonexistent/ca.pem' }), (e: unknown) => e instanceof ConfigError && /^destinations\.loghost\.tls\.ca: cannot read \/nonexistent\/ca\.pem: ENOENT/.test(e.message));
    assert.throws(make({ ca: '/etc/hostname' }), /tls\.ca: \/etc\/hostname holds no PEM block/);
  });

  test('templates are checked at start-up, naming the option', () => {
    assert.throws(
      () => syslog.create(syslogOptionsSchema.parse({ type: 'syslog', url: 'tcp://h', app_name: '{nope}' }), { id: 'syslog', host: 'h', logger: capturedLogger().logger }),
      /destinations\.syslog\.app_name: unknown name "nope"/,
    );
  });
});
