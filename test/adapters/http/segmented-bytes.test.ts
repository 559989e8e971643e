// SegmentedBytes: a batch's bytes in segments written in place; what is committed is read back as written.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import fc from 'fast-check';
import { MAX_SEGMENT_BYTES, SegmentedBytes } from '../../../adapters/http/segmented-bytes.ts';
import { INITIAL_BYTES } from '../../../adapters/http/buffer-pool.ts';

/** Writes each text as one event (reserving 3 bytes a code unit) and returns where each went. */
function writeAll(bytes: SegmentedBytes, texts: readonly string[]): Array<{ seg: number; from: number; to: number }> {
  return texts.map((text) => {
    const buffer = bytes.reserve(text.length * 3);
    const from = bytes.at;
    const to = from + buffer.write(text, from, 'utf8');
    bytes.commit(to);
    return { seg: bytes.segment, from, to };
  });
}

test('the segments read back in order are the texts joined; each text lies whole in one segment (property)', () => {
  const text = fc.string({ unit: 'grapheme', maxLength: 3000 });
  fc.assert(
    fc.property(fc.array(text, { maxLength: 300 }), (texts) => {
      const bytes = new SegmentedBytes();
      const places = writeAll(bytes, texts);
      const segments = Array.from({ length: bytes.segment + 1 }, (_, i) => bytes.bytesOf(i));
      assert.equal(Buffer.concat(segments).toString('utf8'), texts.join(''));
      places.forEach(({ seg, from, to }, i) => assert.equal(bytes.bytesOf(seg).toString('utf8', from, to), texts[i]));
      bytes.release();
      assert.equal(bytes.segment, -1);
    }),
    { numRuns: 60 },
  );
});

test('segments start at 16 KiB and double to 128 KiB; an event needing more gets the next power of two', () => {
  const bytes = new SegmentedBytes();
  const line = 'x'.repeat(1000);
  writeAll(bytes, Array.from({ length: 600 }, () => line));
  const capacities = Array.from({ length: bytes.segment + 1 }, (_, i) => bytes.bytesOf(i).buffer.byteLength);
  assert.deepEqual(capacities.slice(0, 5), [INITIAL_BYTES, 2 * INITIAL_BYTES, 4 * INITIAL_BYTES, MAX_SEGMENT_BYTES, MAX_SEGMENT_BYTES]);
  // 600 events of 1,000 bytes each reserving 3,000: a segment is left only when less than that is free.
  const used = Array.from({ length: bytes.segment + 1 }, (_, i) => bytes.usedOf(i));
  assert.equal(used.reduce((a, b) => a + b, 0), 600_000);
  used.slice(0, -1).forEach((u, i) => assert.ok(capacities[i]! - u < 3000, `segment ${i} holds ${u} of ${capacities[i]}`));
  const huge = 'é'.repeat(100_000); // 300,000 bytes of room
  const [place] = writeAll(bytes, [huge]);
  assert.equal(bytes.bytesOf(place!.seg).buffer.byteLength, 512 * 1024);
  assert.equal(bytes.bytesOf(place!.seg).toString('utf8', place!.from, place!.to), huge);
  bytes.release();
});
