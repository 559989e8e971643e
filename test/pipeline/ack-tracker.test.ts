// AckTracker: the checkpoint never passes an entry that is not done, whatever order acks come in.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import fc from 'fast-check';
import { AckTracker } from '../../src/pipeline/ack-tracker.ts';

test('commits only the contiguous done prefix', () => {
  const t = new AckTracker();
  for (let s = 1; s <= 5; s++) t.register(s, `c${s}`);
  t.done(2);
  t.done(3);
  assert.equal(t.committedCursor, undefined);
  t.done(1);
  assert.equal(t.committedSeq, 3);
  assert.equal(t.committedCursor, 'c3');
  t.done(5);
  assert.equal(t.committedSeq, 3);
  t.done(4);
  assert.equal(t.committedCursor, 'c5');
  assert.equal(t.pending, 0);
});

test('seq 0 (synthetic records), repeated and unknown seqs are ignored', () => {
  const t = new AckTracker();
  t.register(1, 'a');
  t.done(0);
  t.done(7);
  assert.equal(t.committedCursor, undefined);
  t.done(1);
  t.done(1);
  assert.equal(t.committedCursor, 'a');
});

test('registration out of order is a programming error', () => {
  const t = new AckTracker();
  t.register(1, 'a');
  assert.throws(() => t.register(3, 'c'), /out of order/);
});

test('property: for any ack order, the commit point is the longest done prefix (with compaction)', () => {
  fc.assert(
    fc.property(fc.integer({ min: 1, max: 12_000 }), fc.integer(), (n, seed) => {
      const t = new AckTracker();
      for (let s = 1; s <= n; s++) t.register(s, `c${s}`);
      const order = Array.from({ length: n }, (_, i) => i + 1);
      let x = seed >>> 0 || 1;
      for (let i = n - 1; i > 0; i--) {
        x ^= x << 13; x ^= x >>> 17; x ^= x << 5; x >>>= 0;
        const j = x % (i + 1);
        [order[i], order[j]] = [order[j]!, order[i]!];
      }
      const done = new Set<number>();
      let prefix = 0;
      for (const s of order.slice(0, Math.floor(n * 0.9))) {
        t.done(s);
        done.add(s);
        while (done.has(prefix + 1)) prefix++;
        assert.equal(t.committedSeq, prefix);
      }
      assert.equal(t.committedCursor, prefix === 0 ? undefined : `c${prefix}`);
    }),
    { numRuns: 30 },
  );
});

test('doneAhead counts the entries acknowledged past the commit point, and names them', () => {
  const t = new AckTracker();
  for (let s = 1; s <= 6; s++) t.register(s, `c${s}`);
  t.done(3);
  t.done(5);
  t.done(5);
  assert.equal(t.doneAhead, 2);
  assert.deepEqual(t.doneAheadCursors(), ['c3', 'c5']);
  t.done(1);
  assert.equal(t.doneAhead, 2, 'entry 1 commits alone: 3 and 5 still wait behind 2 and 4');
  t.done(2);
  assert.equal(t.committedSeq, 3);
  assert.equal(t.doneAhead, 1);
  t.done(4);
  assert.equal(t.committedCursor, 'c5');
  assert.equal(t.doneAhead, 0);
  assert.deepEqual(t.doneAheadCursors(), []);
});

test('entries registered without a cursor commit without moving the committed cursor', () => {
  const t = new AckTracker(0, 'checkpoint');
  t.register(1, undefined);
  t.register(2, undefined);
  t.register(3, 'c3');
  t.done(1);
  t.done(2);
  assert.equal(t.committedSeq, 2);
  assert.equal(t.committedCursor, 'checkpoint', 'passing over entries does not move the checkpoint back to them');
  t.done(3);
  assert.equal(t.committedCursor, 'c3');
});

test('property: doneAhead is the number of done entries past the commit point, whatever the order', () => {
  fc.assert(
    fc.property(fc.integer({ min: 1, max: 9000 }), fc.integer(), (n, seed) => {
      const t = new AckTracker();
      for (let s = 1; s <= n; s++) t.register(s, `c${s}`);
      let x = seed >>> 0 || 1;
      const done = new Set<number>();
      for (let k = 0; k < n; k++) {
        x ^= x << 13; x ^= x >>> 17; x ^= x << 5; x >>>= 0;
        const s = (x % n) + 1;
        t.done(s);
        done.add(s);
        if (k % 97 === 0) assert.equal(t.doneAhead, [...done].filter((d) => d > t.committedSeq).length);
      }
      assert.equal(t.doneAhead, [...done].filter((d) => d > t.committedSeq).length);
    }),
    { numRuns: 20 },
  );
});
