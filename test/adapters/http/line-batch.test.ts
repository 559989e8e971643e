// LineBatch: HTTP destinations' events kept as bytes; bodies cut from them are what joining the strings gives.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import fc from 'fast-check';
import { LineBatch } from '../../../adapters/http/line-batch.ts';

test('LineBatch bodies are the events joined, all of them or a chosen subset in its order', () => {
  fc.assert(
    fc.property(fc.array(fc.string({ unit: 'grapheme', maxLength: 2000 }), { maxLength: 40 }), fc.string({ maxLength: 3 }), (events, separator) => {
      const batch = LineBatch.of(events);
      assert.equal(batch.length, events.length);
      assert.equal(batch.body('{"lines":[', separator, ']}').toString('utf8'), `{"lines":[${events.join(separator)}]}`);
      assert.equal(batch.body('', '', '').toString('utf8'), events.join(''));
      const which = events.map((_, i) => i).filter((i) => i % 3 !== 1).reverse();
      assert.equal(batch.body('[', separator, ']', which).toString('utf8'), `[${which.map((i) => events[i]).join(separator)}]`);
      events.forEach((e, i) => assert.equal(batch.event(i), e));
      batch.release();
      assert.equal(batch.length, 0);
    }),
  );
});

test('bodies of batches over many segments are the events joined, all of them or a subset (property)', () => {
  // 100 to 3,200 characters each (a short random text repeated): 200 to 300 of them fill several segments.
  const event = fc.tuple(fc.string({ unit: 'grapheme', minLength: 1, maxLength: 8 }), fc.integer({ min: 100, max: 400 })).map(([text, n]) => text.repeat(n));
  fc.assert(
    fc.property(fc.array(event, { minLength: 200, maxLength: 300 }), (events) => {
      assert.ok(events.reduce((n, e) => n + e.length, 0) > 4 * 16 * 1024, 'more than the first segments hold');
      const batch = LineBatch.of(events);
      assert.equal(batch.body('', '', '').toString('utf8'), events.join(''));
      assert.equal(batch.body('{"lines":[', ',', ']}').toString('utf8'), `{"lines":[${events.join(',')}]}`);
      const which = events.map((_, i) => i).filter((i) => i % 7 !== 3).reverse();
      assert.equal(batch.body('', '\n', '', which).toString('utf8'), which.map((i) => events[i]).join('\n'));
      events.forEach((e, i) => assert.equal(batch.event(i), e));
      batch.release();
    }),
    { numRuns: 20 },
  );
});

test('a body is a copy: released segments reused by the next batch leave it as it was', () => {
  const first = LineBatch.of(['{"a":1}\n', '{"b":2}\n']);
  const body = first.body('', '', '');
  first.release();
  const second = LineBatch.of(['{"zzzzzzzz":9}\n']);
  assert.equal(body.toString('utf8'), '{"a":1}\n{"b":2}\n');
  second.release();
});

test('events of tens of kilobytes fill the segments they start: the exact size is counted where the bound does not fit', () => {
  for (const size of [20_000, 42_000, 60_000]) {
    const events = Array.from({ length: 30 }, (_, i) => `${'x'.repeat(size - 10)}${String(i).padStart(9, '0')}\n`);
    const batch = LineBatch.of(events);
    assert.equal(batch.body('', '', '').toString('utf8'), events.join(''));
    const bytes = 30 * size;
    // Reserving three bytes a character for each, a 42,000-byte event took a 128 KiB segment of its own (3.1x).
    assert.ok(batch.capacity < bytes * 1.3, `${size}: ${batch.capacity} bytes held for ${bytes}`);
    batch.release();
  }
});

test('an event whose exact size is what its segment has left, one byte more or less, is written whole', () => {
  for (let d = -3; d <= 3; d++) {
    const events = ['x'.repeat(5000), 'é'.repeat((16 * 1024 - 5000 + d) / 2 - (d % 2 === 0 ? 0 : 0.5)) + (d % 2 === 0 ? '' : 'y')];
    const batch = LineBatch.of(events);
    const size = Buffer.byteLength(events[1]!);
    assert.equal(size, 16 * 1024 - 5000 + d);
    assert.equal(batch.capacity, d <= 0 ? 16 * 1024 : 16 * 1024 + 32 * 1024, `d=${d}`);
    assert.equal(batch.body('', '\n', '').toString('utf8'), events.join('\n'), `d=${d}`);
    assert.equal(batch.event(1), events[1]);
    batch.release();
  }
});
