// DestinationRunner: batching within limits, order per key, retries, rejects, fatal stop, backpressure.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { LogRecord } from '../../src/model/log-record.ts';
import { ALL_ACCEPTED, type BatchLimits, type Destination, type Encoded, type FailureAction, type SendResult } from '../../src/pipeline/destination.ts';
import { DestinationRunner } from '../../src/pipeline/destination-runner.ts';
import { silentLogger } from '../../src/selflog/logger.ts';

function record(seq: number, stream = 'a', message = `m${seq}`, time = 1_700_000_000_000 + seq): LogRecord {
  return { time, level: 'info', message, fields: {}, source: { host: 'h', service: 's', stream }, cursor: `c${seq}`, seq };
}

class Failure extends Error {
  readonly kind: FailureAction['action'];
  constructor(kind: FailureAction['action']) {
    super(kind);
    this.kind = kind;
  }
}

/** An in-memory destination: records what each request carried; `script` decides each call's fate. */
class MemoryDestination implements Destination<string> {
  readonly id = 'mem';
  readonly type = 'mem';
  readonly calls: Array<{ key: string; events: string[] }> = [];
  accepted: string[] = [];
  readonly limits: BatchLimits;
  readonly script: (call: number, key: string, events: string[]) => Promise<SendResult> | SendResult;
  constructor(limits: BatchLimits, script: MemoryDestination['script'] = () => ALL_ACCEPTED) {
    this.limits = limits;
    this.script = script;
  }
  async start(): Promise<void> {}
  key(r: LogRecord): string {
    return r.source.stream;
  }
  encode(r: LogRecord): Array<Encoded<string>> {
    return [{ data: r.message, size: Buffer.byteLength(r.message) + 10, time: r.time }];
  }
  async send(key: string, events: string[]): Promise<SendResult> {
    this.calls.push({ key, events: [...events] });
    const result = await this.script(this.calls.length, key, events);
    this.accepted.push(...events);
    return result;
  }
  classify(error: unknown): FailureAction {
    const kind = (error as Failure).kind;
    return kind === 'retry' ? { action: 'retry', reason: 'test', retryAfterMs: 1 } : { action: kind, reason: `test ${kind}` } as FailureAction;
  }
  async close(): Promise<void> {}
}

const limits = (over: Partial<BatchLimits> = {}): BatchLimits => ({ maxEvents: 100, maxBytes: 1_000_000, flushIntervalMs: 20, concurrency: 4, ...over });

test('splits batches at the event count and byte limits and acks every record once', async () => {
  const dest = new MemoryDestination(limits({ maxEvents: 7, maxBytes: 120 }));
  const done: number[] = [];
  const runner = new DestinationRunner(dest, { logger: silentLogger(), onDone: (seq) => done.push(seq) });
  for (let i = 1; i <= 100; i++) runner.push(record(i));
  assert.equal(await runner.flush(5000), true);
  assert.deepEqual(done, Array.from({ length: 100 }, (_, i) => i + 1));
  for (const call of dest.calls) {
    assert.ok(call.events.length <= 7);
    assert.ok(call.events.reduce((n, e) => n + Buffer.byteLength(e) + 10, 0) <= 120);
  }
  assert.deepEqual(dest.accepted, Array.from({ length: 100 }, (_, i) => `m${i + 1}`));
  assert.equal(runner.bufferedRecords, 0);
  assert.equal(runner.bufferedBytes, 0);
  await runner.close();
});

test('a batch never spans more than maxSpanMs', async () => {
  const dest = new MemoryDestination(limits({ maxSpanMs: 1000 }));
  const runner = new DestinationRunner(dest, { logger: silentLogger(), onDone: () => {} });
  runner.push(record(1, 'a', 'x', 0));
  runner.push(record(2, 'a', 'y', 1000));
  runner.push(record(3, 'a', 'z', 1001));
  await runner.flush(5000);
  assert.deepEqual(dest.calls.map((c) => c.events), [['x', 'y'], ['z']]);
  await runner.close();
});

test('sends a partial batch after flushIntervalMs without a flush call', async () => {
  const dest = new MemoryDestination(limits({ flushIntervalMs: 30 }));
  const done: number[] = [];
  const runner = new DestinationRunner(dest, { logger: silentLogger(), onDone: (seq) => done.push(seq) });
  runner.push(record(1));
  const started = Date.now();
  while (done.length === 0 && Date.now() - started < 3000) await new Promise((r) => setTimeout(r, 5));
  assert.deepEqual(done, [1]);
  await runner.close();
});

test('retries failed batches in order per key; every record arrives once', async () => {
  const dest = new MemoryDestination(limits({ maxEvents: 5, concurrency: 3 }), (call) => {
    if (call % 3 === 0) throw new Failure('retry');
    return ALL_ACCEPTED;
  });
  const done: number[] = [];
  const runner = new DestinationRunner(dest, { logger: silentLogger(), onDone: (seq) => done.push(seq), backoff: { initialMs: 1, maxMs: 5 } });
  for (let i = 1; i <= 300; i++) runner.push(record(i, `s${i % 4}`));
  assert.equal(await runner.flush(10_000), true);
  assert.equal(done.length, 300);
  assert.equal(new Set(done).size, 300);
  for (let k = 0; k < 4; k++) {
    const got = dest.accepted.filter((m) => Number(m.slice(1)) % 4 === k).map((m) => Number(m.slice(1)));
    assert.deepEqual(got, [...got].sort((a, b) => a - b), `stream s${k} kept its order`);
  }
  await runner.close();
});

test('a rejected batch is acknowledged and counted; results with refused events too', async () => {
  const dest = new MemoryDestination(limits({ maxEvents: 2 }), (call) => {
    if (call === 1) throw new Failure('reject');
    return { rejected: [{ count: 1, reason: 'too old' }] };
  });
  const rejected: Array<[string, number]> = [];
  const done: number[] = [];
  const runner = new DestinationRunner(dest, {
    logger: silentLogger(),
    onDone: (seq) => done.push(seq),
    counters: { sent: () => {}, retried: () => {}, requestSeconds: () => {}, rejected: (reason, n) => rejected.push([reason, n]) },
  });
  for (let i = 1; i <= 4; i++) runner.push(record(i));
  await runner.flush(5000);
  assert.deepEqual(done, [1, 2, 3, 4]);
  assert.deepEqual(rejected, [['test reject', 2], ['too old', 1]]);
  await runner.close();
});

test('a fatal failure stops the destination, drops its buffer and reports once', async () => {
  const dest = new MemoryDestination(limits(), () => {
    throw new Failure('fatal');
  });
  const fatal: string[] = [];
  const done: number[] = [];
  const runner = new DestinationRunner(dest, { logger: silentLogger(), onDone: (seq) => done.push(seq), onFatal: (reason) => fatal.push(reason) });
  for (let i = 1; i <= 10; i++) runner.push(record(i));
  await runner.flush(5000);
  assert.deepEqual(fatal, ['test fatal']);
  assert.deepEqual(done, []);
  assert.equal(runner.failure, 'test fatal');
  assert.equal(runner.full, false);
  runner.push(record(11));
  assert.equal(runner.bufferedRecords, 0);
  await runner.close();
});

test('full at the record bound; whenNotFull resolves once acks free room', async () => {
  let release!: () => void;
  const gate = new Promise<void>((r) => (release = r));
  const dest = new MemoryDestination(limits({ maxEvents: 10 }), async () => {
    await gate;
    return ALL_ACCEPTED;
  });
  const runner = new DestinationRunner(dest, { logger: silentLogger(), onDone: () => {}, maxBufferedRecords: 20 });
  for (let i = 1; i <= 20; i++) runner.push(record(i));
  assert.equal(runner.full, true);
  let resolved = false;
  const waiting = runner.whenNotFull().then(() => (resolved = true));
  await new Promise((r) => setTimeout(r, 50));
  assert.equal(resolved, false);
  release();
  await waiting;
  assert.equal(runner.full, false);
  await runner.flush(5000);
  await runner.close();
});

test('a full buffer sends its largest batches at once (not after the flush interval), until half is on its way', async () => {
  const dest = new MemoryDestination(limits({ flushIntervalMs: 60_000 }));
  const runner = new DestinationRunner(dest, { logger: silentLogger(), onDone: () => {}, maxBufferedRecords: 30 });
  for (let i = 1; i <= 30; i++) runner.push(record(i, i <= 20 ? 'big' : i <= 27 ? 'mid' : 'small', 'x'.repeat(10)));
  assert.equal(runner.full, true);
  const started = Date.now();
  await runner.whenNotFull();
  assert.ok(Date.now() - started < 10_000, 'room came long before the 60 s flush interval');
  assert.equal(runner.full, false);
  assert.deepEqual(dest.calls.map((c) => [c.key, c.events.length]), [['big', 20]], 'the largest batch alone holds half the buffer');
  for (let i = 31; i <= 50; i++) runner.push(record(i, 'big', 'x'.repeat(10)));
  await runner.whenNotFull();
  assert.deepEqual(dest.calls.map((c) => [c.key, c.events.length]), [['big', 20], ['big', 20]]);
  assert.equal(await runner.flush(5000), true);
  assert.equal(dest.accepted.length, 50);
  await runner.close();
});

test('a full buffer leaves the open batch of a key whose request is in flight to its flush interval', async () => {
  let release!: () => void;
  const gate = new Promise<void>((r) => (release = r));
  const dest = new MemoryDestination(limits({ flushIntervalMs: 60_000 }), async (call) => {
    if (call === 1) await gate;
    return ALL_ACCEPTED;
  });
  const runner = new DestinationRunner(dest, { logger: silentLogger(), onDone: () => {}, maxBufferedRecords: 30 });
  for (let i = 1; i <= 10; i++) runner.push(record(i, 'slow'));
  void runner.flush(60_000); // the 'slow' batch goes out and hangs at the gate
  for (let i = 11; i <= 25; i++) runner.push(record(i, 'slow'));
  for (let i = 26; i <= 30; i++) runner.push(record(i, 'quick'));
  assert.equal(runner.full, true);
  const room = runner.whenNotFull();
  await new Promise((r) => setTimeout(r, 50));
  assert.deepEqual(dest.calls.map((c) => [c.key, c.events.length]), [['slow', 10], ['quick', 5]], 'the busy key is not cut into small batches');
  release();
  await room;
  await runner.flush(5000);
  assert.deepEqual(dest.calls.map((c) => [c.key, c.events.length]), [['slow', 10], ['quick', 5], ['slow', 15]]);
  await runner.close();
});

test('a batch that waits for a free request takes the records that come meanwhile, and goes as one', async () => {
  let release!: () => void;
  const gate = new Promise<void>((r) => (release = r));
  // One request at a time: 'b' waits its turn behind 'a', which hangs at the gate.
  const dest = new MemoryDestination(limits({ flushIntervalMs: 20, concurrency: 1 }), async (call) => {
    if (call === 1) await gate;
    return ALL_ACCEPTED;
  });
  const runner = new DestinationRunner(dest, { logger: silentLogger(), onDone: () => {} });
  runner.push(record(1, 'a'));
  runner.push(record(2, 'b'));
  // Past the flush interval: both batches are due; 'a' is out, 'b' waits for the request 'a' holds.
  await new Promise((r) => setTimeout(r, 200));
  assert.deepEqual(dest.calls.map((c) => c.key), ['a']);
  for (let i = 3; i <= 6; i++) runner.push(record(i, 'b'));
  release();
  assert.equal(await runner.flush(5000), true);
  // Sealed when it was due, 'b' went as [m2] and then [m3..m6]: twice the requests behind a slow destination.
  assert.deepEqual(dest.calls.map((c) => [c.key, c.events]), [['a', ['m1']], ['b', ['m2', 'm3', 'm4', 'm5', 'm6']]]);
  await runner.close();
});

test('whenHoldingBelow waits for records to be acknowledged, whatever the shared budget', async () => {
  let release!: () => void;
  const gate = new Promise<void>((r) => (release = r));
  const dest = new MemoryDestination(limits({ flushIntervalMs: 20 }), async () => {
    await gate;
    return ALL_ACCEPTED;
  });
  // A budget of 100 records: the runner is not full at 5, but its caller bounds itself to 3.
  const runner = new DestinationRunner(dest, { logger: silentLogger(), onDone: () => {}, maxBufferedRecords: 100 });
  for (let i = 1; i <= 5; i++) runner.push(record(i));
  assert.equal(runner.full, false);
  let below = false;
  const waiting = runner.whenHoldingBelow(3, Infinity).then(() => (below = true));
  await new Promise((r) => setTimeout(r, 100));
  assert.equal(below, false, 'still holding 5');
  release();
  await waiting;
  assert.ok(runner.bufferedRecords < 3);
  await runner.close();
});

test('a whenHoldingBelow wait withdrawn by its signal no longer has answers seal open batches', async () => {
  let release!: () => void;
  const gate = new Promise<void>((r) => (release = r));
  const dest = new MemoryDestination(limits({ flushIntervalMs: 20, concurrency: 1 }), async (call) => {
    if (call === 1) await gate;
    return ALL_ACCEPTED;
  });
  const runner = new DestinationRunner(dest, { logger: silentLogger(), onDone: () => {}, maxBufferedRecords: 100 });
  // A backlog: open batches are held to grow, only a waiter for room (#relieve) sends them early.
  runner.backlog = true;
  for (let i = 1; i <= 4; i++) runner.push(record(i, 'a'));
  const wait = new AbortController();
  const waiting = runner.whenHoldingBelow(2, Infinity, wait.signal);
  await new Promise((r) => setTimeout(r, 50));
  assert.deepEqual(dest.calls.map((c) => c.key), ['a'], 'the wait sent the open batch');
  wait.abort();
  await waiting;
  runner.push(record(5, 'b'));
  runner.push(record(6, 'b'));
  release();
  await new Promise((r) => setTimeout(r, 200));
  assert.deepEqual(dest.calls.map((c) => c.key), ['a'], "'b' grows on: nobody waits for room any more");
  assert.equal(await runner.flush(5000), true);
  assert.deepEqual(dest.calls.map((c) => [c.key, c.events.length]), [['a', 4], ['b', 2]]);
  await runner.close();
});

test('flush gives up at its deadline when the destination hangs', async () => {
  const dest = new MemoryDestination(limits(), () => new Promise<SendResult>(() => {}));
  const runner = new DestinationRunner(dest, { logger: silentLogger(), onDone: () => {} });
  runner.push(record(1));
  assert.equal(await runner.flush(100), false);
  await runner.close();
});

test('on a backlog, open batches wait past the flush interval to grow, and go once the backlog is read', async () => {
  const dest = new MemoryDestination(limits({ flushIntervalMs: 20 }));
  const runner = new DestinationRunner(dest, { logger: silentLogger(), onDone: () => {} });
  runner.backlog = true;
  for (let i = 1; i <= 5; i++) runner.push(record(i));
  await new Promise((r) => setTimeout(r, 200));
  assert.equal(dest.calls.length, 0, 'held past 20 ms while the backlog is read');
  for (let i = 6; i <= 10; i++) runner.push(record(i));
  runner.backlog = false;
  await new Promise((r) => setTimeout(r, 200));
  assert.deepEqual(dest.calls.map((c) => c.events.length), [10], 'one request of everything held');
  await runner.close();
});

test('retire: requests out are answered and acknowledged, nothing else is sent, and the memory is given back', async () => {
  let release!: () => void;
  const gate = new Promise<void>((r) => (release = r));
  // The first request of each key waits at the gate: it is out when the runner retires.
  const dest = new MemoryDestination(limits({ maxEvents: 5, concurrency: 2 }), async (call) => {
    if (call <= 2) await gate;
    return ALL_ACCEPTED;
  });
  const done: number[] = [];
  const runner = new DestinationRunner(dest, { logger: silentLogger(), onDone: (seq) => done.push(seq) });
  for (let i = 1; i <= 20; i++) runner.push(record(i, i % 2 === 0 ? 'a' : 'b'));
  runner.sendOpen();
  await new Promise((r) => setTimeout(r, 20));
  assert.equal(dest.calls.length, 2, 'one request out per key');
  let retired = false;
  const retiring = runner.retire().then(() => (retired = true));
  assert.equal(runner.bufferedRecords, 10, 'what was not out is given back at once');
  await new Promise((r) => setTimeout(r, 20));
  assert.equal(retired, false, 'waits for the answers');
  release();
  await retiring;
  assert.deepEqual([...done].sort((a, b) => a - b), [...dest.calls[0]!.events, ...dest.calls[1]!.events].map((m) => Number(m.slice(1))).sort((a, b) => a - b));
  assert.equal(done.length, 10);
  assert.equal(dest.calls.length, 2, 'nothing more was sent');
  assert.equal(runner.bufferedRecords, 0);
  assert.equal(runner.bufferedBytes, 0);
  runner.push(record(99));
  await new Promise((r) => setTimeout(r, 50));
  assert.equal(dest.calls.length, 2, 'a retired runner takes nothing');
});

test('retire: a request out that fails is neither acknowledged nor tried again', async () => {
  let release!: () => void;
  const gate = new Promise<void>((r) => (release = r));
  const dest = new MemoryDestination(limits(), async () => {
    await gate;
    throw new Failure('retry');
  });
  const done: number[] = [];
  const runner = new DestinationRunner(dest, { logger: silentLogger(), onDone: (seq) => done.push(seq) });
  for (let i = 1; i <= 5; i++) runner.push(record(i));
  runner.sendOpen();
  await new Promise((r) => setTimeout(r, 20));
  const retiring = runner.retire();
  release();
  await retiring;
  await new Promise((r) => setTimeout(r, 50));
  assert.deepEqual(done, []);
  assert.equal(dest.calls.length, 1);
  assert.equal(runner.bufferedRecords, 0);
});
