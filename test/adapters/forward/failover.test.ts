// Several forward servers: weights, standbys, a server killed mid-stream (its batches move to the others, nothing
// lost), a server that comes back is used again, and with none up the sends retry until one is.
import { afterEach, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import forward from '../../../adapters/forward/index.ts';
import { forwardOptionsSchema } from '../../../adapters/forward/config.ts';
import { ForwardUpstream, type ServerState } from '../../../adapters/forward/upstream.ts';
import type { ForwardConnection } from '../../../adapters/forward/connection.ts';
import type { Destination } from '../../../src/pipeline/destination.ts';
import { DestinationRunner } from '../../../src/pipeline/destination-runner.ts';
import { ForwardError } from '../../../adapters/forward/errors.ts';
import { startForwardStandin, type ForwardReceived, type ForwardStandin } from '../../standins/forward/index.ts';
import { capturedLogger, sampleRecord } from '../../standins/sample-records.ts';

const standins: ForwardStandin[] = [];
const runners: DestinationRunner[] = [];
afterEach(async () => {
  await Promise.all(runners.splice(0).map((r) => r.close()));
  await Promise.all(standins.splice(0).map((s) => s.close()));
});

async function servers(n: number): Promise<ForwardStandin[]> {
  const out: ForwardStandin[] = [];
  for (let i = 0; i < n; i++) out.push(await startForwardStandin({ name: `agg-${i}` }));
  standins.push(...out);
  return out;
}

function make(list: Array<{ s: ForwardStandin; weight?: number; standby?: boolean }>, extra: Record<string, unknown> = {}) {
  const captured = capturedLogger();
  const options = forwardOptionsSchema.parse({
    type: 'forward',
    servers: list.map(({ s, weight, standby }) => ({ host: s.host, port: s.port, ...(weight ? { weight } : {}), ...(standby ? { standby } : {}) })),
    tag: 'ecs.{service}',
    flush_interval: '20ms',
    ack_timeout: '5s',
    connect_timeout: '1s',
    recover_interval: '100ms',
    ...extra,
  });
  return { destination: forward.create(options, { id: 'forward', host: 'host-a', logger: captured.logger }) as Destination<Buffer>, logs: captured.lines };
}

function runner(destination: Destination<Buffer>) {
  const done: number[] = [];
  let fatal: string | undefined;
  const r = new DestinationRunner(destination, {
    logger: capturedLogger().logger,
    onDone: (seq) => done.push(seq),
    onFatal: (reason) => (fatal = reason),
    backoff: { initialMs: 20, maxMs: 200 },
    requestTimeoutMs: 10_000,
  });
  runners.push(r);
  return { runner: r, done, fatal: () => fatal };
}

const seqOf = (r: ForwardReceived) => (r.record.data as { fields: { seq: number } }).fields.seq;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
async function until(predicate: () => boolean, what: string, ms = 10_000): Promise<void> {
  const deadline = Date.now() + ms;
  while (!predicate()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await sleep(10);
  }
}

describe('forward: several servers', () => {
  test('weights 60 and 20: three batches to the first for each one to the second', async () => {
    const [a, b] = await servers(2);
    const { destination } = make([{ s: a!, weight: 60 }, { s: b!, weight: 20 }], { concurrency: 1, tag: 'one', max_batch_events: 10 });
    const { runner: r, done } = runner(destination);
    for (let i = 0; i < 400; i++) r.push(sampleRecord(i));
    assert.equal(await r.flush(30_000), true);
    assert.equal(done.length, 400);
    assert.equal(a!.messages.length, 30);
    assert.equal(b!.messages.length, 10);
  });

  test('a server killed mid-stream: its batches go to the other; nothing lost; duplicates only of what the dead one took', async () => {
    const [a, b] = await servers(2);
    const { destination, logs } = make([{ s: a! }, { s: b! }]);
    await destination.start();
    const { runner: r, done, fatal } = runner(destination);
    const total = 12_000;
    for (let i = 0; i < total / 2; i++) r.push(sampleRecord(i));
    await until(() => a!.received.length > 500, 'server a to take records');
    const takenByA = a!.received.length;
    await a!.stop();
    for (let i = total / 2; i < total; i++) {
      if (r.full) await r.whenNotFull();
      r.push(sampleRecord(i));
    }
    assert.equal(await r.flush(30_000), true);
    assert.equal(done.length, total);
    assert.equal(fatal(), undefined);
    const counts = new Map<number, number>();
    for (const x of [...a!.received, ...b!.received]) counts.set(seqOf(x), (counts.get(seqOf(x)) ?? 0) + 1);
    assert.equal(counts.size, total, 'nothing lost');
    const fromA = new Set(a!.received.map(seqOf));
    for (const [seq, c] of counts) if (c > 1) assert.ok(fromA.has(seq), `seq ${seq} arrived ${c} times, but server a never took it`);
    assert.ok(b!.received.length >= total - takenByA, 'the rest went to b');
    assert.ok(logs.some((l) => l.includes('forward server is down; its batches go to the other servers') && l.includes(`127.0.0.1:${a!.port}`)));
    assert.deepEqual([...a!.violations, ...b!.violations], []);
  });

  test('a server that comes back gets batches again', async () => {
    const [a, b] = await servers(2);
    const { destination, logs } = make([{ s: a! }, { s: b! }], { concurrency: 1, tag: 'one', max_batch_events: 20 });
    const { runner: r } = runner(destination);
    await a!.stop();
    for (let i = 0; i < 200; i++) r.push(sampleRecord(i));
    assert.equal(await r.flush(30_000), true);
    assert.equal(b!.received.length, 200);
    await a!.start();
    await until(() => logs.some((l) => l.includes('forward server is up again')), 'server a to be probed back');
    for (let i = 200; i < 600; i++) r.push(sampleRecord(i));
    assert.equal(await r.flush(30_000), true);
    assert.ok(a!.received.length >= 150, `a took ${a!.received.length} of the 400 records after it came back`);
    assert.equal(a!.received.length + b!.received.length, 600);
  });

  test('a standby gets batches only while the regular server is down', async () => {
    const [main, spare] = await servers(2);
    const { destination } = make([{ s: main! }, { s: spare!, standby: true }], { concurrency: 1, tag: 'one', max_batch_events: 20 });
    const { runner: r } = runner(destination);
    for (let i = 0; i < 200; i++) r.push(sampleRecord(i));
    assert.equal(await r.flush(30_000), true);
    assert.deepEqual([main!.received.length, spare!.received.length], [200, 0]);
    await main!.stop();
    for (let i = 200; i < 400; i++) r.push(sampleRecord(i));
    assert.equal(await r.flush(30_000), true);
    assert.equal(spare!.received.length, 200, 'the standby took over');
    await main!.start();
    await sleep(400);
    const spareBefore = spare!.received.length;
    for (let i = 400; i < 600; i++) r.push(sampleRecord(i));
    assert.equal(await r.flush(30_000), true);
    assert.equal(spare!.received.length, spareBefore, 'back to the regular server');
    assert.equal(main!.received.length, 400);
  });

  test('no server up: sends fail and retry (never fatal), nothing is acknowledged; a server that starts gets everything', async () => {
    const [a, b] = await servers(2);
    await a!.stop();
    await b!.stop();
    const { destination } = make([{ s: a! }, { s: b! }]);
    const error = await destination.start().then(() => undefined, (e: unknown) => e as ForwardError);
    assert.equal(error?.code, 'ERR_FORWARD_UNAVAILABLE');
    assert.match(error!.message, /no forward server answered the start-up check: cannot connect to 127\.0\.0\.1:\d+: .*ECONNREFUSED/);
    const { runner: r, done, fatal } = runner(destination);
    for (let i = 0; i < 1000; i++) r.push(sampleRecord(i));
    await sleep(500);
    assert.equal(done.length, 0);
    assert.equal(fatal(), undefined);
    await b!.start();
    assert.equal(await r.flush(30_000), true);
    assert.equal(done.length, 1000);
    assert.equal(b!.received.length, 1000);
  });

  test('one server refuses the shared key, the other takes everything; the destination is not stopped', async () => {
    const good = await startForwardStandin({ name: 'good', sharedKey: 'k1' });
    const bad = await startForwardStandin({ name: 'bad', sharedKey: 'other' });
    standins.push(good, bad);
    const { destination, logs } = make([{ s: bad }, { s: good }], { shared_key: 'k1' });
    await destination.start();
    const { runner: r, done, fatal } = runner(destination);
    for (let i = 0; i < 2000; i++) r.push(sampleRecord(i));
    assert.equal(await r.flush(30_000), true);
    assert.equal(done.length, 2000);
    assert.equal(fatal(), undefined);
    assert.equal(good.received.length, 2000);
    assert.equal(bad.received.length, 0);
    assert.ok(logs.some((l) => l.includes('"serversDown"') && l.includes('shared_key mismatch')));
  });
});

describe('ForwardUpstream.pick', () => {
  const fake = { usable: true, keepalive: true, destroy() {}, onEnd() {} } as unknown as ForwardConnection;
  const upstream = (specs: Array<{ weight: number; standby?: boolean }>) =>
    new ForwardUpstream(
      specs.map((s, i) => ({ host: `s${i}`, port: 1, weight: s.weight, standby: s.standby ?? false })),
      { connect: async () => fake, recoverIntervalMs: 60_000, keepaliveTimeoutMs: 1000, maxIdle: 1, logger: capturedLogger().logger, destination: 'forward' },
    );
  const picks = (u: ForwardUpstream, n: number) => Array.from({ length: n }, () => u.pick(new Set())!.host).join('');

  test('smooth weighted round-robin: 60/20 interleaves a a b a; equal weights alternate', () => {
    assert.equal(picks(upstream([{ weight: 60 }, { weight: 20 }]), 8), 's0s0s1s0s0s0s1s0');
    assert.equal(picks(upstream([{ weight: 5 }, { weight: 5 }, { weight: 5 }]), 6), 's0s1s2s0s1s2');
  });

  test('a down server is skipped; standbys fill in for the lost weight, in list order; tried servers are never picked again', () => {
    const u = upstream([{ weight: 60 }, { weight: 60 }, { weight: 30, standby: true }, { weight: 30, standby: true }]);
    assert.equal(picks(u, 4), 's0s1s0s1');
    u.failed(u.servers[0]!, new ForwardError('ERR_FORWARD_CONNECT', 'down'));
    assert.deepEqual(new Set(picks(u, 12).match(/s\d/g)), new Set(['s1', 's2', 's3']));
    u.failed(u.servers[2]!, new ForwardError('ERR_FORWARD_CONNECT', 'down'));
    assert.deepEqual(new Set(picks(u, 12).match(/s\d/g)), new Set(['s1', 's3']));
    const tried = new Set<ServerState>([u.servers[1]!, u.servers[3]!]);
    // Nothing in use is left: the down servers are tried too, in list order.
    assert.equal(u.pick(tried)?.host, 's0');
    u.close();
  });

  test('allRefused only when every server is down for a refusal', () => {
    const u = upstream([{ weight: 1 }, { weight: 1 }]);
    u.failed(u.servers[0]!, new ForwardError('ERR_FORWARD_AUTH', 'refused'));
    assert.equal(u.allRefused, false);
    u.failed(u.servers[1]!, new ForwardError('ERR_FORWARD_CONNECT', 'down'));
    assert.equal(u.allRefused, false);
    u.failed(u.servers[1]!, new ForwardError('ERR_FORWARD_TLS', 'bad certificate'));
    assert.equal(u.allRefused, true);
    u.close();
  });
});
