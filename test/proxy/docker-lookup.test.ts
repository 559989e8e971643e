// DockerLookup against the Docker Engine API stand-in on a unix socket: facts, caching, negative caching,
// bounded requests under a flood of unknown tags, timeouts and errors that never throw.
import assert from 'node:assert/strict';
import http from 'node:http';
import { after, before, describe, test } from 'node:test';
import { DockerLookup } from '../../src/proxy/docker-lookup.ts';
import { DockerStandin } from '../standins/docker/index.ts';
import { tempDir } from '../helpers/temp-dir.ts';

const ID = 'c0ffee' + '0123456789abcdef'.repeat(3) + 'a1b2c3d4e5';

describe('DockerLookup', () => {
  let docker: DockerStandin;
  before(async () => {
    docker = await DockerStandin.start(`${tempDir('jf-docker-')}/docker.sock`, [
      {
        id: ID,
        name: 'ecs-web-3-app-e8c1b2a3f4d5c6b7a801',
        image: 'nginx:1.27',
        labels: { 'com.amazonaws.ecs.cluster': 'prod' },
        env: ['A=1'],
        logConfig: { Type: 'syslog', Config: { 'syslog-address': 'unixgram:///run/journal-fanout/syslog.sock', labels: 'team' } },
      },
    ]);
  });
  after(async () => docker.close());

  const lookup = (over: Partial<ConstructorParameters<typeof DockerLookup>[0]> = {}) => new DockerLookup({ socketPath: docker.socketPath, timeoutMs: 1000, ...over });

  test('by short ID, full ID and name: the facts of the inspect answer; the second time from the cache', async () => {
    const l = lookup();
    const before = docker.requests.length;
    for (const ref of [ID.slice(0, 12), ID, 'ecs-web-3-app-e8c1b2a3f4d5c6b7a801']) {
      const r = await l.lookup(ref);
      assert.deepEqual(r.facts, {
        id: ID,
        name: 'ecs-web-3-app-e8c1b2a3f4d5c6b7a801',
        image: 'nginx:1.27',
        labels: { 'com.amazonaws.ecs.cluster': 'prod' },
        env: ['A=1'],
        logOptions: { 'syslog-address': 'unixgram:///run/journal-fanout/syslog.sock', labels: 'team' },
      });
    }
    await l.lookup(ID.slice(0, 12));
    assert.equal(docker.requests.length - before, 3, 'one request per reference');
    assert.deepEqual(docker.requests.at(-1), { method: 'GET', path: '/containers/ecs-web-3-app-e8c1b2a3f4d5c6b7a801/json' });
    assert.ok(l.cached(ID)?.facts);
    l.close();
  });

  test('an unknown container: not_found with dockerd\'s message, remembered, so asked once per TTL', async () => {
    let now = 1_000_000;
    const l = lookup({ now: () => now, notFoundTtlMs: 60_000 });
    const before = docker.requests.length;
    const r = await l.lookup('abcdefabcdef');
    assert.deepEqual(r.failure, { reason: 'not_found', detail: 'No such container: abcdefabcdef' });
    for (let i = 0; i < 50; i++) assert.equal((await l.lookup('abcdefabcdef')).failure?.reason, 'not_found');
    assert.equal(docker.requests.length - before, 1);
    now += 60_001;
    await l.lookup('abcdefabcdef');
    assert.equal(docker.requests.length - before, 2, 'asked again after the TTL');
    l.close();
  });

  test('a flood of 2,000 distinct unknown tags at once: each asked once, at most maxInFlight at a time, the rest fail fast as busy', async () => {
    const l = lookup({ maxInFlight: 64 });
    const before = docker.requests.length;
    const tags = Array.from({ length: 2000 }, (_, i) => i.toString(16).padStart(12, '0'));
    const results = await Promise.all(tags.flatMap((t) => [l.lookup(t), l.lookup(t)]));
    const reasons = new Map<string, number>();
    for (const r of results) reasons.set(r.failure!.reason, (reasons.get(r.failure!.reason) ?? 0) + 1);
    assert.equal(reasons.get('not_found'), 128, '64 requests, each shared by the two lookups of its tag');
    assert.equal(reasons.get('busy'), 4000 - 128);
    assert.equal(docker.requests.length - before, 64);
    assert.equal(l.requests, 64);
    l.close();
  });

  test('tags that cannot name a container are never sent', async () => {
    const l = lookup();
    const before = docker.requests.length;
    for (const t of ['web/app', '../../containers', '', 'a b', '-x']) assert.equal((await l.lookup(t)).failure?.reason, 'not_a_container', t);
    assert.equal(docker.requests.length, before);
    l.close();
  });

  test('a slow dockerd: timeout within docker_timeout, remembered for errorTtl, then asked again', async () => {
    let now = 5_000_000;
    const l = lookup({ timeoutMs: 200, errorTtlMs: 5000, now: () => now });
    docker.inject({ kind: 'latency', ms: 2000 });
    const t0 = Date.now();
    const r = await l.lookup(ID);
    assert.equal(r.failure?.reason, 'timeout');
    assert.ok(Date.now() - t0 < 1500, `gave up after ${Date.now() - t0} ms`);
    assert.equal((await l.lookup(ID)).failure?.reason, 'timeout', 'remembered');
    now += 5001;
    assert.ok((await l.lookup(ID)).facts, 'asked again after errorTtl, and answered');
    l.close();
  });

  test('HTTP 500 and a reset connection: failures with the reason, never a rejection', async () => {
    const l = lookup({ errorTtlMs: 0 });
    docker.inject({ kind: 'status', status: 500, body: 'layer does not exist' });
    assert.deepEqual((await l.lookup(ID)).failure, { reason: 'error', detail: 'HTTP 500: layer does not exist' });
    docker.inject({ kind: 'reset' });
    const reset = await l.lookup(ID);
    assert.equal(reset.failure?.reason, 'error');
    assert.ok((await l.lookup(ID)).facts, 'and the next one works');
    l.close();
  });

  test('no Docker socket at all: error naming the socket', async () => {
    const l = new DockerLookup({ socketPath: `${tempDir('jf-nodocker-')}/docker.sock`, timeoutMs: 500 });
    const r = await l.lookup(ID);
    assert.equal(r.failure?.reason, 'error');
    assert.match(r.failure!.detail, /docker\.sock: ENOENT/);
    l.close();
  });
});

describe('the Docker API stand-in is strict', () => {
  test('only GET /containers/{id}/json (optionally versioned); anything else is "page not found"', async () => {
    const docker = await DockerStandin.start(`${tempDir('jf-docker-')}/docker.sock`, [{ id: ID, name: 'x', image: 'i' }]);
    const call = (method: string, path: string) =>
      new Promise<{ status: number; body: unknown }>((resolve, reject) => {
        const req = http.request({ socketPath: docker.socketPath, method, path }, (res) => {
          let body = '';
          res.on('data', (d) => (body += d));
          res.on('end', () => resolve({ status: res.statusCode!, body: JSON.parse(body) }));
        });
        req.on('error', reject);
        req.end();
      });
    assert.equal((await call('GET', `/v1.45/containers/${ID.slice(0, 5)}/json`)).status, 200, 'versioned path, unique ID prefix');
    assert.deepEqual(await call('GET', '/containers/nope/json'), { status: 404, body: { message: 'No such container: nope' } });
    assert.deepEqual(await call('POST', `/containers/${ID}/json`), { status: 404, body: { message: 'page not found' } });
    assert.deepEqual(await call('GET', '/containers/json'), { status: 404, body: { message: 'page not found' } });
    assert.deepEqual(await call('GET', `/containers/${ID}/logs`), { status: 404, body: { message: 'page not found' } });
    const ok = (await call('GET', '/containers/x/json')).body as { Id: string; Name: string; Config: { Image: string; Labels: object }; HostConfig: { LogConfig: { Type: string } }; State: { Running: boolean } };
    assert.deepEqual([ok.Id, ok.Name, ok.Config.Image, ok.HostConfig.LogConfig.Type, ok.State.Running], [ID, '/x', 'i', 'syslog', true]);
    await docker.close();
  });
});
