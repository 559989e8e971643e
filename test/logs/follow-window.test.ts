// The follow window: where each poll starts, which events it shows, what it forgets.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { FollowWindow } from '../../src/logs/follow-window.ts';
import { SERVER_CLOCK_ERROR_MS } from '../../src/logs/server-clock.ts';

const SINCE = 1_000_000;
const options = { since: SINCE, overlapMs: 120_000, shallowMs: 10_000 };
const ev = (id: string, timestamp: number, ingestionTime = timestamp + 500) => ({ eventId: id, timestamp, ingestionTime });

test('the first poll reads from --since; later ones reach back from the previous poll, never before --since', () => {
  const w = new FollowWindow(options);
  assert.equal(w.start('deep'), SINCE);
  assert.equal(w.start('shallow'), SINCE);
  const base = SINCE + 600_000;
  w.passDone(base);
  assert.equal(w.start('deep'), base - 120_000 - SERVER_CLOCK_ERROR_MS);
  assert.equal(w.start('shallow'), base - 10_000 - SERVER_CLOCK_ERROR_MS);
  w.passDone(base - 50_000);
  assert.equal(w.start('shallow'), base - 10_000 - SERVER_CLOCK_ERROR_MS, 'a poll that started earlier does not move the window back');
  const young = new FollowWindow(options);
  young.passDone(SINCE + 5000);
  assert.equal(young.start('deep'), SINCE);
});

test('each event is shown once, however many polls return it', () => {
  const w = new FollowWindow(options);
  assert.equal(w.accept(ev('a', SINCE + 1)), true);
  assert.equal(w.accept(ev('a', SINCE + 1)), false);
  assert.equal(w.accept(ev('b', SINCE + 1)), true, 'same time, another event');
  // Without an event ID (never from FilterLogEvents, but defensively): stream, times and message identify it.
  assert.equal(w.accept({ logStreamName: 's', timestamp: 5, ingestionTime: 6, message: 'm' }), true);
  assert.equal(w.accept({ logStreamName: 's', timestamp: 5, ingestionTime: 6, message: 'm' }), false);
});

test('IDs no later poll can return are forgotten; the others are kept', () => {
  const w = new FollowWindow(options);
  for (let i = 0; i < 100; i++) w.accept(ev(`e${i}`, SINCE + i * 10_000));
  assert.equal(w.remembered, 100);
  const base = SINCE + 990_000;
  w.passDone(base);
  const floor = base - 120_000 - SERVER_CLOCK_ERROR_MS;
  const kept = Array.from({ length: 100 }, (_, i) => SINCE + i * 10_000).filter((t) => t >= floor).length;
  assert.equal(w.remembered, kept);
  assert.equal(w.accept(ev('e99', SINCE + 990_000)), false, 'a recent one is still known');
});

test('lateness is measured on events shown while following, not on the backlog', () => {
  const w = new FollowWindow(options);
  w.accept(ev('old', SINCE, SINCE + 3_600_000));
  assert.equal(w.maxLatenessMs, 0);
  w.passDone(SINCE + 3_600_000);
  w.accept(ev('late', SINCE + 3_500_000, SINCE + 3_590_000));
  assert.equal(w.maxLatenessMs, 90_000);
});
