// When the shared reader waits for destinations whose buffer is full, and when it detaches them (real journald
// namespace and Pipeline): detaching pays only while another destination takes what the shared reader reads.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { validateConfig } from '../../src/config/load.ts';
import { Pipeline } from '../../src/pipeline/pipeline.ts';

/** pipeline.backlog_detach_after's default. */
const BACKLOG_DETACH_AFTER_MS = 10_000;
import { silentLogger } from '../../src/selflog/logger.ts';
import { HoldingDestination } from '../helpers/holding-destination.ts';
import { makeJournalDirectory } from '../helpers/journal-files.ts';
import { TestJournal } from '../helpers/journald.ts';

const ID = 'jf-backpressure';
const BUFFER = 200;
const entries = (from: number, to: number) => Array.from({ length: to - from }, (_, k) => ({ MESSAGE: `bp-${from + k}`, SYSLOG_IDENTIFIER: ID, CONTAINER_ID: `beef00${String((from + k) % 5).padStart(6, '0')}` }));

async function until(predicate: () => boolean, what: string, timeoutMs = 30_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!predicate()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await sleep(10);
  }
}

describe('backpressure: waiting for full destinations, and detaching them', { timeout: 120_000 }, () => {
  let journal: TestJournal;
  before(async () => {
    journal = await TestJournal.start('jfbp');
  });
  after(async () => {
    await journal.stop();
  });

  async function start(destinations: HoldingDestination[], source: Record<string, unknown> = { namespace: journal.namespace }, pipelineOptions: Record<string, unknown> = {}) {
    const config = validateConfig(
      {
        journal: { ...source, start: 'head', matches: [`SYSLOG_IDENTIFIER=${ID}`] },
        records: { multiline: { enabled: false } },
        pipeline: { buffer_records: BUFFER, detach_after: '100ms', checkpoint_interval: '20ms', ...pipelineOptions },
        destinations: [{ type: 'stdout' }],
      },
      undefined,
      {},
    );
    const detached: string[] = [];
    const pipeline = new Pipeline({ config, destinations, checkpoints: null, host: 'testhost', logger: silentLogger(), counters: { detached: (id) => detached.push(id) } });
    const running = pipeline.run({ follow: true });
    return { pipeline, running, detached };
  }

  test('a lone destination that falls behind is waited for, not detached: nothing is read twice', async () => {
    const only = new HoldingDestination('only');
    only.holdAll = true;
    const { pipeline, running, detached } = await start([only]);
    try {
      await journal.send(entries(0, 2000));
      // Ten times detach_after with the buffer full: a detach would have come by now.
      await sleep(1000);
      const lane = pipeline.status().lanes[0]!;
      assert.equal(lane.attached, true);
      assert.deepEqual(detached, []);
      assert.ok(lane.pendingEntries <= 2 * BUFFER, `the reader waited: ${lane.pendingEntries} entries read and pending`);
      only.holdAll = false;
      await until(() => only.accepted.length >= 2000, 'every entry');
      assert.equal(new Set(only.accepted).size, 2000);
      assert.equal(only.accepted.length, 2000, 'none sent twice');
      assert.deepEqual(detached, []);
    } finally {
      only.holdAll = false;
      pipeline.stop();
      await running;
    }
  });

  test(`on a backlog, a full destination is detached after ${BACKLOG_DETACH_AFTER_MS} ms, not detach_after: its records are old already`, async () => {
    // An hour-old journal: the reader reads a backlog.
    const hourAgoUs = (Date.now() - 3_600_000) * 1000;
    const dir = await makeJournalDirectory(
      Array.from({ length: 3000 }, (_, i) => ({ message: `old-${i}`, bootId: 'c'.repeat(32), realtimeUs: hourAgoUs + i * 1000, monotonicUs: 1_000_000 + i * 1000, fields: { SYSLOG_IDENTIFIER: ID, CONTAINER_ID: `beef00${String(i % 5).padStart(6, '0')}` } })),
    );
    const fast = new HoldingDestination('fast');
    const held = new HoldingDestination('held');
    held.holdAll = true;
    const startedAt = Date.now();
    const { pipeline, running, detached } = await start([fast, held], { directory: dir });
    try {
      await sleep(2000);
      assert.deepEqual(detached, [], 'twenty times detach_after on a backlog: still waited for');
      assert.ok(fast.accepted.length < 3000, 'the fast one is held back meanwhile');
      await until(() => detached.length > 0, 'the held destination to be detached', BACKLOG_DETACH_AFTER_MS + 20_000);
      assert.deepEqual(detached, ['held']);
      assert.ok(Date.now() - startedAt >= BACKLOG_DETACH_AFTER_MS, `detached after ${Date.now() - startedAt} ms`);
      await until(() => new Set(fast.accepted).size === 3000, 'the fast destination to take every entry once detached');
      held.holdAll = false;
      await until(() => new Set(held.accepted).size === 3000, 'the held one to catch up');
    } finally {
      held.holdAll = false;
      pipeline.stop();
      await running;
    }
  });

  test('stop() ends a backlog\'s long wait for a full destination at once', async () => {
    const hourAgoUs = (Date.now() - 3_600_000) * 1000;
    const dir = await makeJournalDirectory(
      Array.from({ length: 2000 }, (_, i) => ({ message: `stop-${i}`, bootId: 'd'.repeat(32), realtimeUs: hourAgoUs + i * 1000, monotonicUs: 1_000_000 + i * 1000, fields: { SYSLOG_IDENTIFIER: ID } })),
    );
    const fast = new HoldingDestination('fast');
    const held = new HoldingDestination('held');
    held.holdAll = true;
    const { pipeline, running } = await start([fast, held], { directory: dir }, { shutdown_timeout: '500ms' });
    try {
      await until(() => fast.accepted.length > 0, 'the reader to start');
      await sleep(500);
      const stopAt = Date.now();
      pipeline.stop();
      // The held destination's requests do not answer: the drain gives up at shutdown_timeout, and the wait
      // before it must end at once for run() to end by then, not when the backlog's wait would.
      await running;
      assert.ok(Date.now() - stopAt < 3000, `run() ended ${Date.now() - stopAt} ms after stop()`);
    } finally {
      held.holdAll = false;
    }
  });

  test('two destinations behind are waited for; once one keeps up again, the other is detached', async () => {
    const first = new HoldingDestination('first');
    const second = new HoldingDestination('second');
    first.holdAll = true;
    second.holdAll = true;
    const { pipeline, running, detached } = await start([first, second]);
    try {
      await journal.send(entries(2000, 4000));
      await sleep(1000);
      assert.deepEqual(detached, [], 'nobody to keep shipping for: neither is detached');
      first.holdAll = false;
      await until(() => detached.length > 0, 'the one still behind to be detached');
      assert.deepEqual(detached, ['second']);
      await until(() => new Set(first.accepted).size === 4000, 'the first destination to take every entry (both runs)');
      second.holdAll = false;
      await until(() => new Set(second.accepted).size === 4000, 'the second to catch up');
      await until(() => pipeline.status().lanes.every((l) => l.attached), 'the second to rejoin');
    } finally {
      first.holdAll = false;
      second.holdAll = false;
      pipeline.stop();
      await running;
    }
  });
});
