// Forward over TLS, with a CA, server and client certificates made here by the openssl CLI: verified by default,
// a server the CA did not sign stops the destination with a clear error, mutual TLS with a client certificate.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import forward from '../../../adapters/forward/index.ts';
import { forwardOptionsSchema } from '../../../adapters/forward/config.ts';
import type { ForwardError } from '../../../adapters/forward/errors.ts';
import { ConfigError } from '../../../src/model/errors.ts';
import type { Destination } from '../../../src/pipeline/destination.ts';
import { runDestination } from '../../helpers/run-destination.ts';
import { tempDir } from '../../helpers/temp-dir.ts';
import { startForwardStandin, type ForwardStandin } from '../../standins/forward/index.ts';
import { capturedLogger, sampleRecord } from '../../standins/sample-records.ts';

let dir: string;
const file = (name: string) => path.join(dir, name);
const openssl = (...args: string[]) => execFileSync('openssl', args, { cwd: dir, stdio: ['ignore', 'ignore', 'pipe'] });

/** An EC key and a certificate for `subject` signed by the CA (or self-signed when ca is null), with subjectAltName. */
function issue(name: string, subject: string, san: string, ca: string | null): void {
  openssl('req', '-new', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes', '-keyout', `${name}.key`, '-out', `${name}.csr`, '-subj', subject);
  writeFileSync(file(`${name}.ext`), `subjectAltName=${san}\n`);
  if (ca) openssl('x509', '-req', '-in', `${name}.csr`, '-CA', `${ca}.crt`, '-CAkey', `${ca}.key`, '-CAcreateserial', '-days', '2', '-out', `${name}.crt`, '-extfile', `${name}.ext`);
  else openssl('x509', '-req', '-in', `${name}.csr`, '-signkey', `${name}.key`, '-days', '2', '-out', `${name}.crt`, '-extfile', `${name}.ext`);
}

before(() => {
  dir = tempDir('jf-forward-tls-');
  openssl('req', '-x509', '-new', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes', '-keyout', 'ca.key', '-out', 'ca.crt', '-days', '2', '-subj', '/CN=journal-fanout test CA');
  issue('server', '/CN=aggregator.test', 'DNS:aggregator.test,IP:127.0.0.1', 'ca');
  issue('client', '/CN=host-a', 'DNS:host-a', 'ca');
  issue('rogue', '/CN=aggregator.test', 'DNS:aggregator.test,IP:127.0.0.1', null);
});

const standins: ForwardStandin[] = [];
after(async () => {
  await Promise.all(standins.map((s) => s.close()));
});

async function tlsStandin(options: { cert?: string; requestCert?: boolean; sharedKey?: string } = {}): Promise<ForwardStandin> {
  const cert = options.cert ?? 'server';
  const s = await startForwardStandin({
    tls: { key: readFileSync(file(`${cert}.key`)), cert: readFileSync(file(`${cert}.crt`)), ca: readFileSync(file('ca.crt')), requestCert: options.requestCert ?? false },
    ...(options.sharedKey ? { sharedKey: options.sharedKey } : {}),
  });
  standins.push(s);
  return s;
}

function make(s: ForwardStandin, tls: Record<string, unknown>, extra: Record<string, unknown> = {}): Destination<Buffer> {
  const options = forwardOptionsSchema.parse({ type: 'forward', servers: [{ host: s.host, port: s.port }], flush_interval: '20ms', connect_timeout: '2s', tls: { enabled: true, ...tls }, ...extra });
  return forward.create(options, { id: 'forward', host: 'host-a', logger: capturedLogger().logger }) as Destination<Buffer>;
}

describe('forward over TLS', () => {
  test('verified against tls.ca (by IP address, and by server_name): records delivered, with the shared-key handshake inside', async () => {
    const s = await tlsStandin({ sharedKey: 'tls-key' });
    for (const tls of [{ ca: file('ca.crt') }, { ca: file('ca.crt'), server_name: 'aggregator.test' }]) {
      const d = make(s, tls, { shared_key: 'tls-key' });
      await d.start();
      const { runner, done } = runDestination(d, Array.from({ length: 500 }, (_, i) => sampleRecord(i)));
      assert.equal(await runner.flush(20_000), true);
      assert.equal(done.length, 500);
      await runner.close();
    }
    assert.equal(s.received.length, 1000);
    assert.deepEqual(s.violations, []);
  });

  test('without the CA (system CAs only) the certificate fails verification: fatal, with the fix', async () => {
    const s = await tlsStandin();
    const error = await make(s, {}).start().then(() => undefined, (e: unknown) => e as ForwardError);
    assert.equal(error?.code, 'ERR_FORWARD_REFUSED');
    assert.equal(error?.fatal, true);
    assert.match(error!.message, /TLS: the certificate of 127\.0\.0\.1:\d+ failed verification: .*\((UNABLE_TO_VERIFY_LEAF_SIGNATURE|SELF_SIGNED_CERT_IN_CHAIN)\); set tls\.ca/);
    assert.equal(s.received.length, 0);
  });

  test('a self-signed server certificate that the CA did not sign is refused; a name that does not match is refused', async () => {
    const rogue = await tlsStandin({ cert: 'rogue' });
    const e1 = await make(rogue, { ca: file('ca.crt') }).start().then(() => undefined, (e: unknown) => e as Error);
    assert.match(e1?.message ?? '', /failed verification: .*\((DEPTH_ZERO_SELF_SIGNED_CERT|UNABLE_TO_VERIFY_LEAF_SIGNATURE)\)/);
    const s = await tlsStandin();
    const e2 = await make(s, { ca: file('ca.crt'), server_name: 'other.test' }).start().then(() => undefined, (e: unknown) => e as Error);
    assert.match(e2?.message ?? '', /failed verification: .*\(ERR_TLS_CERT_ALTNAME_INVALID\)/);
  });

  test('verify: false accepts any certificate (for tests only)', async () => {
    const rogue = await tlsStandin({ cert: 'rogue' });
    const d = make(rogue, { verify: false });
    await d.start();
    const { runner, done } = runDestination(d, [sampleRecord(1)]);
    assert.equal(await runner.flush(10_000), true);
    assert.equal(done.length, 1);
    await runner.close();
  });

  test('mutual TLS: a server that requires a client certificate takes ours; without one the destination stops, saying why', async () => {
    const s = await tlsStandin({ requestCert: true });
    const d = make(s, { ca: file('ca.crt'), cert: file('client.crt'), key: file('client.key') });
    await d.start();
    const ok = runDestination(d, Array.from({ length: 100 }, (_, i) => sampleRecord(i)));
    assert.equal(await ok.runner.flush(10_000), true);
    assert.equal(ok.done.length, 100);
    await ok.runner.close();
    assert.equal(s.received.length, 100);
    // With TLS 1.3 the server's refusal comes after the handshake looked complete: the first send finds it.
    const bare = runDestination(make(s, { ca: file('ca.crt') }, { healthcheck: false }), [sampleRecord(1)]);
    await bare.runner.flush(10_000);
    assert.equal(bare.done.length, 0);
    assert.match(bare.fatal() ?? '', /refused this client's certificate: .*\(ERR_SSL_TLSV13_ALERT_CERTIFICATE_REQUIRED\); set tls\.cert and tls\.key/);
    assert.equal(s.received.length, 100);
    await bare.runner.close();
  });

  test('an unreadable tls.ca is a ConfigError naming the key and the path', () => {
    const options = forwardOptionsSchema.parse({ type: 'forward', servers: [{ host: '127.0.0.1' }], tls: { enabled: true, ca: file('missing.crt') } });
    assert.throws(() => forward.create(options, { id: 'fwd', host: 'h', logger: capturedLogger().logger }), (e: unknown) => {
      assert.ok(e instanceof ConfigError);
      assert.match(e.message, /destinations\.fwd\.tls\.ca: cannot read ".*missing\.crt": ENOENT/);
      return true;
    });
  });
});
