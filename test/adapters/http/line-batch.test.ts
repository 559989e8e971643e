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

test('a body is a copy: a released batch buffer reused by the next batch leaves it as it was', () => {
  const first = LineBatch.of(['{"a":1}\n', '{"b":2}\n']);
  const body = first.body('', '', '');
  first.release();
  const second = LineBatch.of(['{"zzzzzzzz":9}\n']);
  assert.equal(body.toString('utf8'), '{"a":1}\n{"b":2}\n');
  second.release();
});
