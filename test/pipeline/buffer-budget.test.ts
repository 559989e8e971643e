// BufferBudget: one memory bound for every destination; a destination alone may use all of it, several share it.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { LogRecord } from '../../src/model/log-record.ts';
import { BufferBudget, type BudgetMember } from '../../src/pipeline/buffer-budget.ts';
import { ALL_ACCEPTED, type Destination, type Encoded, type FailureAction, type SendResult } from '../../src/pipeline/destination.ts';
import { DestinationRunner } from '../../src/pipeline/destination-runner.ts';
import { silentLogger } from '../../src/selflog/logger.ts';

function member(): BudgetMember & { heldRecords: number; heldBytes: number; woken: number } {
  const m = { heldRecords: 0, heldBytes: 0, woken: 0, roomMade: () => m.woken++ };
  return m;
}

function take(budget: BufferBudget, m: ReturnType<typeof member>, records: number, bytes: number): void {
  m.heldRecords += records;
  m.heldBytes += bytes;
  budget.change(m, records, bytes);
}

test('a destination alone may use the whole budget', () => {
  const budget = new BufferBudget(100, 1000);
  const a = member();
  budget.join(a);
  take(budget, a, 99, 900);
  assert.equal(budget.isFull(a), false);
  take(budget, a, 1, 0);
  assert.equal(budget.isFull(a), true);
});

test('once the budget is used up, only the destinations over an even share are full; giving back wakes the others', () => {
  const budget = new BufferBudget(100, 1_000_000);
  const [big, small] = [member(), member()];
  budget.join(big);
  budget.join(small);
  take(budget, big, 90, 0);
  assert.equal(budget.isFull(big), false, 'room is left in the budget');
  take(budget, small, 10, 0);
  assert.equal(budget.isFull(big), true, 'over its half of a used-up budget');
  assert.equal(budget.isFull(small), false, 'under its half: it may take more');
  take(budget, small, 40, 0);
  assert.equal(budget.isFull(small), true, 'at its half');
  take(budget, big, -60, 0);
  assert.equal(small.woken, 1, 'the other destination is told that room was made');
  assert.equal(budget.isFull(small), false);
  assert.equal(budget.isFull(big), false);
  assert.equal(budget.records, 80);
});

test('bytes count as records do', () => {
  const budget = new BufferBudget(1_000_000, 1000);
  const [a, b] = [member(), member()];
  budget.join(a);
  budget.join(b);
  take(budget, a, 1, 800);
  take(budget, b, 1, 200);
  assert.deepEqual([budget.isFull(a), budget.isFull(b)], [true, false]);
  budget.leave(b);
  take(budget, b, -1, -200);
  assert.equal(budget.isFull(a), false, 'a destination that left no longer takes a share');
});

/** A destination whose requests wait until released; records what it was sent. */
class GatedDestination implements Destination<string> {
  readonly type = 'gated';
  readonly limits = { maxEvents: 1000, maxBytes: 1_000_000, flushIntervalMs: 10, concurrency: 2 };
  readonly sent: string[] = [];
  readonly id: string;
  #open = false;
  #waiting: Array<() => void> = [];
  constructor(id: string, open: boolean) {
    this.id = id;
    this.#open = open;
  }
  open(): void {
    this.#open = true;
    for (const w of this.#waiting) w();
  }
  async start(): Promise<void> {}
  key(): string {
    return 'k';
  }
  encode(r: LogRecord): Array<Encoded<string>> {
    return [{ data: r.message, size: 10, time: r.time }];
  }
  async send(_key: string, events: string[]): Promise<SendResult> {
    if (!this.#open) await new Promise<void>((resolve) => this.#waiting.push(resolve));
    this.sent.push(...events);
    return ALL_ACCEPTED;
  }
  classify(): FailureAction {
    return { action: 'retry', reason: 'test' };
  }
  async close(): Promise<void> {}
}

const record = (seq: number): LogRecord => ({ time: 1_700_000_000_000 + seq, level: 'info', message: `m${seq}`, fields: {}, source: { host: 'h', service: 's', stream: 'a' }, cursor: `c${seq}`, seq });

test('two runners share one budget: a stuck destination fills at most the budget, the other keeps its share', async () => {
  const budget = new BufferBudget(100, 1_000_000);
  const stuck = new GatedDestination('stuck', false);
  const fine = new GatedDestination('fine', true);
  const runners = [stuck, fine].map((d) => new DestinationRunner(d, { logger: silentLogger(), onDone: () => {}, budget }));
  const [stuckRunner, fineRunner] = runners as [DestinationRunner<string>, DestinationRunner<string>];
  // The reader feeds both until the stuck one is full, as the pipeline does.
  let seq = 0;
  while (!stuckRunner.full && seq < 1000) {
    seq++;
    stuckRunner.push(record(seq));
    fineRunner.push(record(seq));
    if (fineRunner.full) await fineRunner.whenNotFull();
  }
  assert.ok(stuckRunner.full);
  assert.ok(budget.records <= 100, `the budget holds ${budget.records} records`);
  assert.ok(stuckRunner.bufferedRecords >= 50, 'the stuck destination got at least its half');
  assert.equal(fineRunner.full, false, 'the other destination still takes records');
  await fineRunner.flush(5000);
  assert.equal(fine.sent.length, seq);
  // The stuck destination answers again: what it holds is sent and given back.
  stuck.open();
  assert.equal(await stuckRunner.flush(5000), true);
  assert.equal(budget.records, 0);
  assert.equal(budget.bytes, 0);
  for (const r of runners) await r.close();
});

test('a record stage reads a backlog while its entries lag the clock by 10 s and keep coming', async () => {
  const { RecordStage, BACKLOG_LAG_MS } = await import('../../src/pipeline/record-stage.ts');
  const { configSchema } = await import('../../src/config/schema.ts');
  const stage = new RecordStage(configSchema.parse({}), 'h', { deliver: () => {}, dropped: () => {} });
  const now = Date.now();
  const entry = (ms: number, seq: number) => ({ seq, cursor: `c${seq}`, realtimeUs: ms * 1000, monotonicUs: 0, bootId: 'b', fields: { MESSAGE: 'm' } });
  stage.pushed(entry(now - BACKLOG_LAG_MS - 5000, 1));
  assert.equal(stage.readingBacklog(Date.now()), true);
  stage.pushed(entry(Date.now() - 100, 2));
  assert.equal(stage.readingBacklog(Date.now()), false, 'caught up');
  const quiet = new RecordStage(configSchema.parse({}), 'h', { deliver: () => {}, dropped: () => {} });
  quiet.pushed(entry(now - 60_000, 3));
  assert.equal(quiet.readingBacklog(Date.now()), true);
  assert.equal(quiet.readingBacklog(Date.now() + 2000), false, 'quiet: no entries for a while, the last batches go');
});
