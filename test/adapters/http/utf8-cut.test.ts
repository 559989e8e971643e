// The UTF-8 cuts that forward, CloudWatch and syslog share (adapters/http/oversize.ts): never inside a character,
// never over the budget, nothing lost or doubled.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import fc from 'fast-check';
import { utf8Boundary, utf8Pieces } from '../../../adapters/http/oversize.ts';

test('utf8Boundary: the start of the character at or before the offset, within the buffer', () => {
  const bytes = Buffer.from('aé€😀', 'utf8'); // 1 + 2 + 3 + 4 bytes
  assert.deepEqual([0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 99].map((at) => utf8Boundary(bytes, at)), [0, 1, 1, 3, 3, 3, 6, 6, 6, 6, 10, 10, 10]);
});

test('utf8Pieces: pieces within the budget, each whole characters, that join into the input (property)', () => {
  fc.assert(
    fc.property(fc.string({ unit: 'grapheme', maxLength: 200 }), fc.integer({ min: 4, max: 64 }), (text, budget) => {
      const bytes = Buffer.from(text, 'utf8');
      const pieces = utf8Pieces(bytes, budget);
      assert.ok(pieces.every((p) => p.length > 0 && p.length <= budget));
      assert.equal(pieces.map((p) => p.toString('utf8')).join(''), text);
      assert.ok(Buffer.concat(pieces).equals(bytes));
    }),
  );
});

test('utf8Pieces: a budget smaller than a character still moves on (cut inside it, then back on a boundary) rather than looping', () => {
  const pieces = utf8Pieces(Buffer.from('😀😀', 'utf8'), 3);
  assert.deepEqual(pieces.map((p) => p.length), [3, 1, 3, 1]);
  assert.ok(Buffer.concat(pieces).equals(Buffer.from('😀😀', 'utf8')));
});
