// What both journal readers keep across restarts: the resume position and seq, and the restart delays.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { JournalEntry } from '../../src/model/journal-entry.ts';
import { ReadPosition, readerSettings, RestartBackoff } from '../../src/journal/reader-state.ts';

const source = { journalctl: 'journalctl', namespace: null, directory: null, matches: [] };
const entry = (cursor: string, seq: number) => ({ cursor, seq }) as JournalEntry;

test('readerSettings: the defaults, and what the caller gives wins', () => {
  assert.deepEqual(readerSettings({ ...source, from: { kind: 'head' }, follow: false }), {
    ...source,
    from: { kind: 'head' },
    follow: false,
    firstSeq: 1,
    checkCursor: true,
    highWaterEntries: 8192,
    releaseMappedBytes: 16 * 1024 * 1024,
    restartInitialMs: 250,
    restartMaxMs: 30_000,
  });
  const given = readerSettings({ ...source, from: { kind: 'tail' }, follow: true, firstSeq: 7, checkCursor: false, highWaterEntries: 10, releaseMappedBytes: 3, restartInitialMs: 1, restartMaxMs: 2 });
  assert.deepEqual([given.firstSeq, given.checkCursor, given.highWaterEntries, given.releaseMappedBytes, given.restartInitialMs, given.restartMaxMs], [7, false, 10, 3, 1, 2]);
});

test('ReadPosition: starts at the checkpoint, resumes after the last entry handed on, restarts at the head when told', () => {
  const position = new ReadPosition(readerSettings({ ...source, from: { kind: 'after', cursor: 'c0' }, follow: true, firstSeq: 5 }));
  assert.deepEqual([position.from, position.lastCursor, position.nextSeq], [{ kind: 'after', cursor: 'c0' }, 'c0', 5]);
  position.handedOn([entry('c1', 5), entry('c2', 6)]);
  assert.deepEqual([position.from, position.lastCursor, position.nextSeq], [{ kind: 'after', cursor: 'c0' }, 'c2', 7]);
  position.resume();
  assert.deepEqual(position.from, { kind: 'after', cursor: 'c2' });
  position.restartAtHead();
  assert.deepEqual([position.from, position.lastCursor, position.nextSeq], [{ kind: 'head' }, undefined, 7]);
  // Nothing handed on since: the next run starts where this one did.
  position.resume();
  assert.deepEqual(position.from, { kind: 'head' });
});

test('ReadPosition: from the head or tail there is no cursor until an entry is handed on', () => {
  for (const kind of ['head', 'tail'] as const) {
    const position = new ReadPosition(readerSettings({ ...source, from: { kind }, follow: true }));
    assert.equal(position.lastCursor, undefined);
    position.resume();
    assert.deepEqual(position.from, { kind });
  }
});

test('RestartBackoff: doubles from the initial delay up to the cap, and starts again after a healthy run or a success', () => {
  const backoff = new RestartBackoff({ restartInitialMs: 250, restartMaxMs: 3000 });
  const now = Date.now();
  assert.deepEqual([1, 2, 3, 4, 5, 6].map(() => backoff.failed(now)), [250, 500, 1000, 2000, 3000, 3000]);
  assert.equal(backoff.failed(now - 61_000), 250, 'a run of over a minute was healthy');
  assert.equal(backoff.failed(now), 500);
  backoff.succeeded();
  assert.equal(backoff.failed(now), 250);
  const many = new RestartBackoff({ restartInitialMs: 250, restartMaxMs: Number.MAX_SAFE_INTEGER });
  const delays = Array.from({ length: 40 }, () => many.failed(now));
  assert.equal(delays.at(-1), 250 * 2 ** 16, 'the doubling stops at 2^16 times the initial delay');
});
