// The forward destination against its stand-in, through the real DestinationRunner: delivery with acks, the
// handshake, compression, withheld and lost acks, dropped connections, and what reaches the logs.
import { afterEach, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import forward from '../../../adapters/forward/index.ts';
import { forwardOptionsSchema } from '../../../adapters/forward/config.ts';
import { ForwardError } from '../../../adapters/forward/errors.ts';
import type { LogRecord } from '../../../src/model/log-record.ts';
import type { Destination } from '../../../src/pipeline/destination.ts';
import { DestinationRunner } from '../../../src/pipeline/destination-runner.ts';
import { startForwardStandin, type ForwardReceived, type ForwardStandin, type ForwardStandinOptions } from '../../standins/forward/index.ts';
import { capturedLogger, sampleRecord, SAMPLE_TIME } from '../../standins/sample-records.ts';

const SHARED_KEY = 'fwd-shared-key-secret-4711';
const PASSWORD = 'fwd-password-secret-0815';

const standins: ForwardStandin[] = [];
const runners: DestinationRunner[] = [];
afterEach(async () => {
  await Promise.all(runners.splice(0).map((r) => r.close()));
  await Promise.all(standins.splice(0).map((s) => s.close()));
});

async function standin(options: ForwardStandinOptions = {}): Promise<ForwardStandin> {
  const s = await startForwardStandin(options);
  standins.push(s);
  return s;
}

function make(servers: ForwardStandin[], extra: Record<string, unknown> = {}) {
  const captured = capturedLogger();
  const options = forwardOptionsSchema.parse({
    type: 'forward',
    servers: servers.map((s) => ({ host: s.host, port: s.port })),
    tag: 'ecs.{service}',
    flush_interval: '20ms',
    // Generous: a loaded CI machine must not turn a slow ack into a timeout (and a duplicate) where none is tested.
    ack_timeout: '5s',
    connect_timeout: '1s',
    recover_interval: '200ms',
    ...extra,
  });
  const destination = forward.create(options, { id: 'forward', host: 'host-a', logger: captured.logger }) as Destination<Buffer>;
  return { destination, logs: captured.lines };
}

function run(destination: Destination<Buffer>, records: LogRecord[]) {
  const done: number[] = [];
  let fatal: string | undefined;
  const captured = capturedLogger();
  const runner = new DestinationRunner(destination, {
    logger: captured.logger,
    onDone: (seq) => done.push(seq),
    onFatal: (reason) => (fatal = reason),
    backoff: { initialMs: 20, maxMs: 200 },
    requestTimeoutMs: 10_000,
  });
  runners.push(runner);
  for (const r of records) runner.push(r);
  return { runner, done, logs: captured.lines, fatal: () => fatal };
}

const records = (n: number, from = 0) => Array.from({ length: n }, (_, i) => sampleRecord(from + i));
const seqOf = (r: ForwardReceived) => ((r.record.data as { fields: { seq: number } }).fields.seq);

/** How many times each seq arrived, over all stand-ins. */
function tally(received: readonly ForwardReceived[]): Map<number, number> {
  const counts = new Map<number, number>();
  for (const r of received) counts.set(seqOf(r), (counts.get(seqOf(r)) ?? 0) + 1);
  return counts;
}

function assertNoSecret(lines: readonly string[]) {
  for (const line of lines) assert.ok(!line.includes(SHARED_KEY) && !line.includes(PASSWORD), `a log line holds a secret: ${line}`);
}

describe('forward: delivery', () => {
  test('20,000 records each arrive exactly once, tagged per service, with EventTime and the ecs-logs record', async () => {
    const s = await standin();
    const { destination, logs } = make([s]);
    await destination.start();
    const r = run(destination, records(20_000));
    assert.equal(await r.runner.flush(60_000), true);
    assert.equal(r.done.length, 20_000);
    assert.equal(s.received.length, 20_000);
    const counts = tally(s.received);
    assert.equal(counts.size, 20_000);
    for (const rec of s.received) {
      const seq = seqOf(rec);
      assert.equal(rec.tag, `ecs.svc-${seq % 4}`);
      const ms = SAMPLE_TIME + seq;
      assert.deepEqual(rec.time, { sec: Math.floor(ms / 1000), nsec: (ms % 1000) * 1_000_000 });
      assert.equal(rec.record.message, `message ${seq}`);
      assert.equal((rec.record.data as { service: string }).service, `svc-${seq % 4}`);
      assert.ok(rec.chunk, 'sent with a chunk id');
    }
    // Per tag, the records arrive in the order they were pushed.
    for (let svc = 0; svc < 4; svc++) {
      const seqs = s.received.filter((x) => x.tag === `ecs.svc-${svc}`).map(seqOf);
      assert.deepEqual(seqs, [...seqs].sort((a, b) => a - b));
    }
    assert.ok(s.messages.every((m) => m.acked && m.entries <= 20_000));
    assert.ok(s.counters.connections <= 4, `connections are kept and reused (${s.counters.connections} opened)`);
    assert.deepEqual(s.violations, []);
    assert.ok(logs.some((l) => l.includes('forward servers answered the start-up check')));
  });

  test('max_batch_bytes and max_batch_events bound each message', async () => {
    const s = await standin();
    const { destination } = make([s], { max_batch_bytes: 65_536, max_batch_events: 100, tag: 'one' });
    const r = run(destination, records(3000));
    assert.equal(await r.runner.flush(30_000), true);
    assert.equal(s.received.length, 3000);
    assert.ok(s.messages.length >= 30);
    for (const m of s.messages) {
      assert.ok(m.entries <= 100);
      assert.ok(m.bytes <= 65_536 + 200, `message of ${m.bytes} bytes`);
    }
  });

  test('compressed: gzip sends CompressedPackedForward; the records arrive the same', async () => {
    const s = await standin();
    const { destination } = make([s], { compressed: 'gzip', tag: 'gz' });
    const r = run(destination, records(2000, 0).map((x) => ({ ...x, message: `${x.message} ${'repetitive text '.repeat(20)}` })));
    assert.equal(await r.runner.flush(30_000), true);
    assert.equal(s.received.length, 2000);
    assert.ok(s.messages.every((m) => m.compressed));
    assert.equal(tally(s.received).size, 2000);
    const raw = s.messages.reduce((n, m) => n + m.bytes, 0);
    assert.ok(raw < 2000 * 300, `compressed: ${raw} bytes on the wire for 2000 records of over 300 bytes`);
  });

  test('require_ack: false sends without a chunk id and counts a batch once written', async () => {
    const s = await standin();
    const { destination } = make([s], { require_ack: false });
    const r = run(destination, records(500));
    assert.equal(await r.runner.flush(30_000), true);
    assert.equal(r.done.length, 500);
    const deadline = Date.now() + 5000;
    while (s.received.length < 500 && Date.now() < deadline) await new Promise((x) => setTimeout(x, 10));
    assert.equal(s.received.length, 500);
    assert.ok(s.messages.every((m) => m.chunk === undefined && !m.acked));
  });
});

describe('forward: acks and faults', () => {
  test('withheld acks: the batch is sent again; the only duplicates are the entries of the unacked messages', async () => {
    const s = await standin();
    const { destination, logs } = make([s], { ack_timeout: '500ms' });
    s.inject({ kind: 'withhold-ack', times: 2 });
    const r = run(destination, records(3000));
    assert.equal(await r.runner.flush(30_000), true);
    assert.equal(r.done.length, 3000);
    const unacked = s.messages.filter((m) => !m.acked);
    assert.equal(unacked.length, 2);
    const expectedDuplicates = unacked.reduce((n, m) => n + m.entries, 0);
    assert.equal(s.received.length, 3000 + expectedDuplicates);
    const counts = tally(s.received);
    assert.equal(counts.size, 3000, 'nothing lost');
    const twice = [...counts].filter(([, c]) => c === 2).map(([seq]) => seq).sort((a, b) => a - b);
    const inUnacked = s.received.filter((x) => unacked.some((m) => m.chunk === x.chunk)).map(seqOf);
    assert.deepEqual(twice, [...new Set(inUnacked)].sort((a, b) => a - b));
    // The resend carries the same chunk id (a receiver that remembers ids could drop the copy).
    for (const m of unacked) assert.equal(s.messages.filter((x) => x.chunk === m.chunk).length, 2);
    assert.ok(logs.some((l) => l.includes('sent no ack for chunk')), 'the ack timeout is logged');
    assert.equal(r.fatal(), undefined);
  });

  test('connections dropped in the middle of a message: every record arrives exactly once', async () => {
    const s = await standin();
    const { destination } = make([s]);
    s.inject({ kind: 'drop', afterBytes: 2000, times: 3 });
    const r = run(destination, records(5000));
    assert.equal(await r.runner.flush(30_000), true);
    assert.equal(r.done.length, 5000);
    assert.equal(s.counters.dropped, 3);
    assert.equal(s.received.length, 5000);
    assert.equal(tally(s.received).size, 5000);
  });

  test('a server that closes each connection after the ack: a stale kept-alive connection is replaced, nothing lost', async () => {
    const s = await standin();
    const { destination, logs } = make([s], { concurrency: 1, tag: 'one', max_batch_events: 50 });
    s.inject({ kind: 'close-after-ack', times: Infinity });
    const r = run(destination, records(1000));
    assert.equal(await r.runner.flush(30_000), true);
    assert.equal(r.done.length, 1000);
    assert.equal(s.received.length, 1000);
    assert.deepEqual(s.violations, []);
    assert.ok(!logs.some((l) => l.includes('forward server is down')), 'a closed idle connection never takes the server out');
  });

  test('a kept connection that breaks before any answer is replaced once by a fresh one; a fresh one that breaks takes the server out', async () => {
    const s = await standin();
    const { destination, logs } = make([s]);
    await destination.start(); // leaves one connection in the pool
    const entries = () => records(10).map((x) => destination.encode(x)[0]!.data);
    s.inject({ kind: 'drop', afterBytes: 1 });
    await destination.send('t', entries(), new AbortController().signal);
    assert.deepEqual([s.counters.dropped, s.counters.connections, s.received.length], [1, 2, 10]);
    assert.ok(!logs.some((l) => l.includes('forward server is down')));
    // The next batch goes over the kept (fresh, now pooled) connection; two drops: the pooled one, then the new one.
    s.inject({ kind: 'drop', afterBytes: 1, times: 2 });
    const error = await destination.send('t', entries(), new AbortController().signal).then(() => undefined, (e: unknown) => e as ForwardError);
    assert.equal(error?.code, 'ERR_FORWARD_UNAVAILABLE');
    assert.match(error!.message, /closed the connection/);
    assert.ok(logs.some((l) => l.includes('forward server is down, and no other server is up')));
    await destination.close();
  });

  test('a server that keeps no connections (HELO keepalive: false) gets one batch per connection', async () => {
    const s = await standin({ sharedKey: SHARED_KEY, keepalive: false });
    const { destination } = make([s], { shared_key: SHARED_KEY, concurrency: 1, tag: 'one', max_batch_events: 100 });
    const r = run(destination, records(1000));
    assert.equal(await r.runner.flush(30_000), true);
    assert.equal(s.received.length, 1000);
    assert.equal(s.counters.connections, s.messages.length);
  });
});

describe('forward: handshake', () => {
  test('shared key and user: the handshake runs once per connection, batches are delivered, no secret is logged', async () => {
    const s = await standin({ name: 'agg-1', sharedKey: SHARED_KEY, users: { shipper: PASSWORD } });
    const { destination, logs } = make([s], { shared_key: SHARED_KEY, username: 'shipper', password: PASSWORD, self_hostname: 'host-a.example' });
    await destination.start();
    const r = run(destination, records(4000));
    assert.equal(await r.runner.flush(30_000), true);
    assert.equal(s.received.length, 4000);
    assert.equal(s.counters.handshakes, s.counters.connections);
    assert.equal(s.counters.authFailures, 0);
    assertNoSecret([...logs, ...r.logs]);
  });

  test('a wrong shared key: start() fails with a fatal error naming the server and the fix; sends stop the destination', async () => {
    const s = await standin({ sharedKey: SHARED_KEY });
    const { destination, logs } = make([s], { shared_key: 'not-the-key' });
    const error = await destination.start().then(() => undefined, (e: unknown) => e);
    assert.ok(error instanceof ForwardError);
    assert.equal(error.code, 'ERR_FORWARD_REFUSED');
    assert.equal(error.fatal, true);
    assert.match(error.message, new RegExp(`127\\.0\\.0\\.1:${s.port}: the server refused the handshake: "shared_key mismatch"; check shared_key`));
    assert.ok(!error.message.includes('not-the-key'));
    // Started anyway (as after a transient start-up failure): the first send stops it for good.
    const r = run(destination, records(50));
    await r.runner.flush(10_000);
    assert.equal(r.done.length, 0);
    assert.match(r.fatal() ?? '', /every forward server refused this client.*shared_key mismatch/);
    assert.equal(s.received.length, 0);
    assertNoSecret([...logs, ...r.logs]);
  });

  test('a wrong password is refused the same way, with the server\'s reason', async () => {
    const s = await standin({ sharedKey: SHARED_KEY, users: { shipper: PASSWORD } });
    const { destination } = make([s], { shared_key: SHARED_KEY, username: 'shipper', password: 'wrong-password' });
    const r = run(destination, records(10));
    await r.runner.flush(10_000);
    assert.match(r.fatal() ?? '', /username\/password mismatch/);
    assert.equal(s.received.length, 0);
  });

  test('a server that accepts without proving it holds the key is refused (mutual authentication)', async () => {
    const s = await standin({ sharedKey: SHARED_KEY, impostorKey: 'some-other-key' });
    const { destination } = make([s], { shared_key: SHARED_KEY });
    const error = await destination.start().then(() => undefined, (e: unknown) => e as Error);
    assert.match(error?.message ?? '', /PONG digest does not match: it does not hold the same shared_key/);
    assert.equal(s.received.length, 0);
  });

  test('a server that asks for the handshake while no shared_key is set: a clear error saying to set it', async () => {
    const s = await standin({ sharedKey: SHARED_KEY });
    const { destination } = make([s], { healthcheck: false });
    const r = run(destination, records(10));
    await r.runner.flush(10_000);
    assert.match(r.fatal() ?? '', /asks for the shared-key handshake \(it sent HELO\) but this destination has no shared_key; set shared_key/);
    assert.equal(s.received.length, 0);
  });

  test('shared_key set but the server sends no HELO: the start-up check says so, and it is retried, not fatal', async () => {
    const s = await standin();
    const { destination } = make([s], { shared_key: SHARED_KEY });
    const error = await destination.start().then(() => undefined, (e: unknown) => e as ForwardError);
    assert.equal(error?.code, 'ERR_FORWARD_UNAVAILABLE');
    assert.equal(error?.fatal, false);
    assert.match(error!.message, /sent no HELO \(is shared_key set on the server\? without it, remove shared_key here\)/);
  });
});
