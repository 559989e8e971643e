// Options of the forward destination: defaults, what is refused (with messages that name the fix), secrets.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import forward from '../../../adapters/forward/index.ts';
import { FORWARD_DEFAULT_BATCH_BYTES, FORWARD_DEFAULT_PORT, FORWARD_DEFAULT_WEIGHT, forwardOptionsSchema } from '../../../adapters/forward/config.ts';
import { configSchema } from '../../../src/config/schema.ts';
import { maskSecrets } from '../../../src/config/load.ts';

const base = { type: 'forward', servers: [{ host: 'agg-1.internal' }] };
const issues = (input: Record<string, unknown>) => {
  const r = forwardOptionsSchema.safeParse({ ...base, ...input });
  assert.equal(r.success, false, `expected ${JSON.stringify(input)} to be refused`);
  return r.error!.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('\n');
};

describe('forward options', () => {
  test('defaults: port 24224, weight 60, tag journal.{service}, acks on, no compression, TLS off, 1 MiB batches', () => {
    const o = forwardOptionsSchema.parse(base);
    assert.deepEqual(o.servers, [{ host: 'agg-1.internal', port: FORWARD_DEFAULT_PORT, weight: FORWARD_DEFAULT_WEIGHT, standby: false }]);
    assert.equal(o.tag, 'journal.{service}');
    assert.equal(o.compressed, 'none');
    assert.equal(o.require_ack, true);
    assert.equal(o.ack_timeout, 15_000);
    assert.equal(o.connect_timeout, 5000);
    assert.equal(o.recover_interval, 5000);
    assert.equal(o.keepalive_timeout, 30_000);
    assert.deepEqual(o.tls, { enabled: false, verify: true });
    assert.equal(o.max_batch_bytes, FORWARD_DEFAULT_BATCH_BYTES);
    assert.equal(o.max_batch_events, 20_000);
    assert.equal(o.concurrency, 4);
    assert.equal(o.flush_interval, 1000);
    assert.equal(o.shared_key, undefined);
    assert.equal(o.healthcheck, true);
  });

  test('durations are parsed; the waits stay under the pipeline\'s 30 s request limit', () => {
    const o = forwardOptionsSchema.parse({ ...base, ack_timeout: '2s', connect_timeout: '750ms', recover_interval: '1m', keepalive_timeout: '5m' });
    assert.deepEqual([o.ack_timeout, o.connect_timeout, o.recover_interval, o.keepalive_timeout], [2000, 750, 60_000, 300_000]);
    assert.match(issues({ ack_timeout: '40s' }), /ack_timeout: expected a duration between 100 ms and 25000 ms/);
  });

  test('servers: at least one, no URL as host, no duplicates, not all standby', () => {
    assert.match(issues({ servers: [] }), /list at least one server/);
    assert.match(issues({ servers: [{ host: 'tcp://agg:24224' }] }), /servers\.0\.host: expected a host name or IP address, without a scheme or port/);
    assert.match(issues({ servers: [{ host: 'agg', port: 24224 }, { host: 'AGG' }] }), /servers\.1: server AGG:24224 is listed twice/);
    assert.match(issues({ servers: [{ host: 'a', standby: true }] }), /every server is a standby/);
    assert.match(issues({ servers: [{ host: 'a', weight: 0 }] }), /servers\.0\.weight/);
    assert.match(issues({ servers: [{ host: 'a', port: 70000 }] }), /servers\.0\.port/);
    assert.match(issues({ servers: [{ host: 'a', tls: true }] }), /Unrecognized key/);
  });

  test('credentials: username and password together, and only with shared_key', () => {
    assert.match(issues({ username: 'u' }), /password: username and password go together/);
    assert.match(issues({ password: 'p', shared_key: 'k' }), /username: username and password go together/);
    assert.match(issues({ username: 'u', password: 'p' }), /shared_key: username and password are checked in the shared-key handshake/);
    assert.equal(forwardOptionsSchema.safeParse({ ...base, shared_key: 'k', username: 'u', password: 'p' }).success, true);
  });

  test('tls: cert and key together; TLS files without tls.enabled are refused', () => {
    assert.match(issues({ tls: { enabled: true, cert: '/c.pem' } }), /tls\.key: tls\.cert and tls\.key go together/);
    assert.match(issues({ tls: { ca: '/ca.pem' } }), /tls\.enabled: TLS options are set but tls\.enabled is false/);
    assert.match(issues({ tls: { enabled: true, verfy: false } }), /Unrecognized key/);
  });

  test('batch limits and compression values', () => {
    assert.match(issues({ max_batch_bytes: 9 * 1024 * 1024 }), /max_batch_bytes/);
    assert.match(issues({ max_batch_bytes: 1000 }), /max_batch_bytes/);
    assert.match(issues({ compressed: 'zstd' }), /compressed/);
    assert.match(issues({ max_batch_events: 0 }), /max_batch_events/);
  });

  test('every option and sub-option has a description (the docs are generated from them)', () => {
    const walk = (shape: Record<string, unknown>, prefix: string) => {
      for (const [name, schema] of Object.entries(shape)) {
        if (name === 'type') continue;
        const s = schema as { description?: string; _zod: { def: { innerType?: unknown; element?: unknown; shape?: Record<string, unknown> } } };
        assert.ok(s.description && s.description.length > 10, `${prefix}${name} has no description`);
      }
    };
    walk(forwardOptionsSchema.shape, '');
    walk((forwardOptionsSchema.shape.servers.element as unknown as { shape: Record<string, unknown> }).shape, 'servers[].');
  });

  test('shared_key and password are secret: masked by check', () => {
    assert.deepEqual(forward.secretKeys, ['shared_key', 'password']);
    const config = configSchema.parse({ destinations: [{ ...base, shared_key: 'sk-secret', username: 'u', password: 'pw-secret' }] });
    const masked = JSON.stringify(maskSecrets(config));
    assert.ok(!masked.includes('sk-secret') && !masked.includes('pw-secret'), masked);
    assert.match(masked, /"shared_key":"\*\*\*"/);
    assert.match(masked, /"username":"u"/);
  });
});
