// Lane: where its checkpoint stands while the shared reader passes over its past, across a detach, and what a catch-up sends again.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { JournalEntry } from '../../src/model/journal-entry.ts';
import type { LogRecord } from '../../src/model/log-record.ts';
import { ALL_ACCEPTED, type Destination } from '../../src/pipeline/destination.ts';
import { DestinationRunner } from '../../src/pipeline/destination-runner.ts';
import { Lane } from '../../src/pipeline/lane.ts';
import { silentLogger } from '../../src/selflog/logger.ts';

const destination: Destination<string> = {
  id: 'dest',
  type: 'memory',
  limits: { maxEvents: 100, maxBytes: 100_000, flushIntervalMs: 1000, concurrency: 1 },
  start: async () => {},
  key: () => '',
  encode: (r) => [{ data: r.message, size: r.message.length, time: r.time }],
  send: async () => ALL_ACCEPTED,
  classify: (e) => ({ action: 'fatal', reason: String(e) }),
  close: async () => {},
};

function runner(): DestinationRunner {
  return new DestinationRunner(destination, { logger: silentLogger(), onDone: () => {} });
}

/** Journal cursors in one seqnum space: `i` orders them. */
const cursor = (i: number) => `s=aa;i=${i.toString(16)};b=bb;m=1;t=${(1_000_000 + i).toString(16)};x=0`;

function entry(seq: number, i: number): JournalEntry {
  return { seq, cursor: cursor(i), realtimeUs: 1_000_000 + i, monotonicUs: i, bootId: 'bb', fields: {} };
}

function record(seq: number, joinedSeqs?: number[]): LogRecord {
  const r: LogRecord = { time: 0, level: 'info', message: `m${seq}`, fields: {}, source: { host: 'h', service: 's', stream: 'h' }, cursor: '', seq };
  if (joinedSeqs) r.joinedSeqs = joinedSeqs;
  return r;
}

test('passing over its past on the shared reader never moves a lane\'s checkpoint back', () => {
  // The lane's checkpoint is entry 50; the shared reader starts at 10, an earlier lane's checkpoint.
  const lane = new Lane(runner(), { kind: 'after', cursor: cursor(50) }, { kind: 'after', cursor: cursor(50) }, cursor(50));
  let seq = 0;
  for (let i = 11; i <= 30; i++) lane.admitEntry(entry(++seq, i));
  assert.equal(lane.takeCheckpoint(), undefined, 'halfway through its past: a crash now must not resume at entry 30');
  assert.equal(lane.committedCursor, cursor(50));
  for (let i = 31; i <= 50; i++) lane.admitEntry(entry(++seq, i));
  assert.equal(lane.takeCheckpoint(), undefined);
  for (let i = 51; i <= 55; i++) lane.admitEntry(entry(++seq, i));
  for (let s = 41; s <= 45; s++) lane.ack(record(s));
  assert.equal(lane.takeCheckpoint(), cursor(55));
});

test('a detached lane\'s checkpoint advances with its catch-up reader\'s acknowledgements', () => {
  const lane = new Lane(runner(), { kind: 'head' }, { kind: 'all' }, undefined);
  for (let i = 1; i <= 10; i++) lane.admitEntry(entry(i, i));
  for (const s of [1, 2, 3]) lane.ack(record(s));
  assert.equal(lane.takeCheckpoint(), cursor(3));
  const start = lane.detach(runner());
  assert.deepEqual(start.from, { kind: 'after', cursor: cursor(3) });
  assert.equal(lane.attached, false);
  for (let k = 0; k < 20; k++) lane.admitEntry(entry(start.firstSeq + k, 4 + k));
  for (let k = 0; k < 5; k++) lane.ack(record(start.firstSeq + k));
  assert.equal(lane.takeCheckpoint(), cursor(8), 'written while detached, before any handover');
  for (let k = 5; k < 12; k++) lane.ack(record(start.firstSeq + k));
  assert.equal(lane.takeCheckpoint(), cursor(15));
});

test('ackedAhead counts what a crash would send again; whenAckedAheadBelow waits for the commit point', async () => {
  const lane = new Lane(runner(), { kind: 'head' }, { kind: 'all' }, undefined);
  for (let i = 1; i <= 10; i++) lane.admitEntry(entry(i, i));
  for (let s = 2; s <= 10; s++) lane.ack(record(s));
  assert.equal(lane.ackedAhead, 9);
  assert.equal(lane.takeCheckpoint(), undefined, 'entry 1 holds the checkpoint');
  const stop = new AbortController();
  let resolved = false;
  const waiting = lane.whenAckedAheadBelow(5, stop.signal).then(() => (resolved = true));
  await new Promise((r) => setImmediate(r));
  assert.equal(resolved, false);
  lane.ack(record(1));
  await waiting;
  assert.equal(lane.ackedAhead, 0);
  assert.equal(lane.takeCheckpoint(), cursor(10));
  // An abort (the catch-up stops) ends a wait that acknowledgements would not.
  for (let i = 11; i <= 20; i++) lane.admitEntry(entry(i, i));
  for (let s = 12; s <= 20; s++) lane.ack(record(s));
  const held = lane.whenAckedAheadBelow(5, stop.signal);
  stop.abort();
  await held;
});

test('after a detach the catch-up does not send again what the destination already acknowledged', () => {
  const lane = new Lane(runner(), { kind: 'head' }, { kind: 'all' }, undefined);
  for (let i = 1; i <= 10; i++) lane.admitEntry(entry(i, i));
  // 1-2 committed; 4, 5 and 7 acknowledged behind 3, which was still out when the lane fell behind.
  for (const s of [1, 2, 4, 5, 7]) lane.ack(record(s));
  const start = lane.detach(runner());
  assert.deepEqual(start.from, { kind: 'after', cursor: cursor(2) });
  const seqOf = (i: number) => start.firstSeq + (i - 3);
  for (let i = 3; i <= 10; i++) lane.admitEntry(entry(seqOf(i), i));
  const sent = [3, 4, 5, 6, 7, 8, 9, 10].filter((i) => lane.wants(record(seqOf(i))));
  assert.deepEqual(sent, [3, 6, 8, 9, 10], 'entries 4, 5 and 7 reached the destination before the detach');
  for (const i of [4, 5, 7]) lane.ack(record(seqOf(i)));
  for (const i of sent) lane.ack(record(seqOf(i)));
  assert.equal(lane.takeCheckpoint(), cursor(10));
});

test('a joined record is sent again unless the destination had every entry it holds', () => {
  const lane = new Lane(runner(), { kind: 'head' }, { kind: 'all' }, undefined);
  for (let i = 1; i <= 6; i++) lane.admitEntry(entry(i, i));
  for (const s of [3, 4, 6]) lane.ack(record(s));
  const start = lane.detach(runner());
  const seqOf = (i: number) => start.firstSeq + (i - 1);
  for (let i = 1; i <= 6; i++) lane.admitEntry(entry(seqOf(i), i));
  assert.equal(lane.wants(record(seqOf(4), [seqOf(3)])), false, '3 and 4 were both delivered');
  assert.equal(lane.wants(record(seqOf(6), [seqOf(5)])), true, '5 was not');
});
