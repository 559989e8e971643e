// ChunkDecoder: the native reader's chunks decode to the same JournalEntry values as ExportParser makes of
// `journalctl -o export` for the same entries (checked here on generated entries, without libsystemd).
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import fc from 'fast-check';
import { ExportParser } from '../../src/journal/export-parser.ts';
import { ChunkDecoder, type NativeChunk } from '../../src/journal/native-chunk.ts';
import type { JournalEntry } from '../../src/model/journal-entry.ts';
import { addressFields, encodeEntry, type ExportValue } from './export-bytes.ts';

type Field = readonly [string, ExportValue];

/** A chunk as the worker builds it: per entry, its cursor and its `NAME=value` data, with the layout of offsets. */
function encodeChunk(entries: Array<{ cursor: string; fields: readonly Field[] }>): NativeChunk {
  const parts: Buffer[] = [];
  const layout: number[] = [];
  let pos = 0;
  let cursors = '';
  for (const { cursor, fields } of entries) {
    cursors += cursor;
    layout.push(fields.length, cursors.length);
    for (const [name, value] of fields) {
      const data = Buffer.concat([Buffer.from(`${name}=`, 'latin1'), typeof value === 'string' ? Buffer.from(value, 'utf8') : Buffer.from(value)]);
      parts.push(data);
      pos += data.length;
      layout.push(pos);
    }
  }
  const bytes = new Uint8Array(Buffer.concat(parts));
  return { count: entries.length, cursors: new Uint8Array(Buffer.from(cursors, 'latin1')), bytes, layout: Int32Array.from(layout) };
}

function viaExport(entries: Array<{ i: number; bootId: string; fields: readonly Field[] }>): JournalEntry[] {
  const out: JournalEntry[] = [];
  const parser = new ExportParser((e) => out.push(e));
  for (const { i, bootId, fields } of entries) parser.push(encodeEntry([...addressFields(i, bootId), ...fields]));
  parser.end();
  return out;
}

function viaChunk(entries: Array<{ i: number; bootId: string; fields: readonly Field[] }>, firstSeq = 1): JournalEntry[] {
  const out: JournalEntry[] = [];
  // libsystemd enumerates the entry's own _BOOT_ID field too; journalctl prints the header's and skips it.
  const chunk = encodeChunk(entries.map(({ i, bootId, fields }) => ({ cursor: addressFields(i, bootId)[0]![1], fields: [['_BOOT_ID', bootId] as const, ...fields] })));
  new ChunkDecoder(firstSeq).decode(chunk, out);
  return out;
}

describe('ChunkDecoder', () => {
  test('timestamps and boot id come from the cursor; _BOOT_ID and __ fields are not fields', () => {
    const [entry] = viaChunk([{ i: 7, bootId: 'aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa', fields: [['MESSAGE', 'hello'], ['__SEQNUM', '7'], ['_PID', '42']] }]);
    assert.deepEqual(entry, {
      seq: 1,
      cursor: addressFields(7, 'aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa')[0]![1],
      realtimeUs: 1_700_000_000_007_000,
      monotonicUs: 397_660_255,
      bootId: 'aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa',
      fields: { __proto__: null, MESSAGE: 'hello', _PID: '42' },
    });
  });

  test('invalid UTF-8 stays bytes, valid UTF-8 (U+FFFD included) is text, repeated fields are arrays in order', () => {
    const bad = Uint8Array.from([0x62, 0xff, 0xfe, 0x0a, 0x00]);
    const [entry] = viaChunk([{ i: 1, bootId: 'b'.repeat(32), fields: [['A', 'x'], ['BIN', bad], ['A', 'y'], ['U', 'é \uFFFD ok'], ['A', bad], ['EMPTY', ''], ['EQ', 'a=b=c']] }]);
    assert.deepEqual(entry!.fields, { __proto__: null, A: ['x', 'y', bad], BIN: bad, U: 'é \uFFFD ok', EMPTY: '', EQ: 'a=b=c' });
    assert.ok(entry!.fields.BIN instanceof Uint8Array && !Buffer.isBuffer(entry!.fields.BIN), 'bytes are a plain Uint8Array copy');
  });

  test('a data object without "=" (a damaged file) is skipped, the rest of the entry kept', () => {
    const chunk = encodeChunk([{ cursor: addressFields(1)[0]![1], fields: [['MESSAGE', 'kept']] }]);
    // Turn "MESSAGE=kept" into "MESSAGE_kept" and add a good field after it.
    const bytes = Buffer.concat([Buffer.from(chunk.bytes), Buffer.from('OTHER=1')]);
    bytes[bytes.indexOf('=')] = 0x5f;
    const layout = Int32Array.from([2, chunk.layout[1]!, chunk.layout[2]!, bytes.length]);
    const out: JournalEntry[] = [];
    new ChunkDecoder().decode({ ...chunk, bytes: new Uint8Array(bytes), layout }, out);
    assert.deepEqual(out[0]!.fields, { __proto__: null, OTHER: '1' });
  });

  test('a flood of distinct field names (the remembered names are dropped between chunks) keeps repeats as arrays', () => {
    const decoder = new ChunkDecoder();
    const out: JournalEntry[] = [];
    decoder.decode(encodeChunk(Array.from({ length: 5000 }, (_, i) => ({ cursor: addressFields(i + 1)[0]![1], fields: [[`NAME_${i}`, 'v'], ['A', 'a']] }))), out);
    decoder.decode(encodeChunk([{ cursor: addressFields(5001)[0]![1], fields: [['A', 'x'], ['NAME_1', 'n'], ['A', 'y']] }]), out);
    assert.equal(out.length, 5001);
    assert.deepEqual(out[4999]!.fields, { __proto__: null, NAME_4999: 'v', A: 'a' });
    assert.deepEqual(out[5000]!.fields, { __proto__: null, A: ['x', 'y'], NAME_1: 'n' });
  });

  test('with `fields`, only those are decoded: repeats stay arrays, other names, _BOOT_ID and __ fields are left out', () => {
    const fields = new Set(['MESSAGE', 'A', '_BOOT_ID', '__SEQNUM']);
    const chunk = encodeChunk([
      { cursor: addressFields(1)[0]![1], fields: [['_BOOT_ID', 'b'.repeat(32)], ['A', 'x'], ['OTHER', 'o'], ['MESSAGE', 'm1'], ['A', 'y'], ['__SEQNUM', '1']] },
      { cursor: addressFields(2)[0]![1], fields: [['_BOOT_ID', 'b'.repeat(32)], ['OTHER', 'o'], ['MESSAGE', Uint8Array.from([0x61, 0xff])]] },
    ]);
    const out: JournalEntry[] = [];
    new ChunkDecoder(1, fields).decode(chunk, out);
    assert.deepEqual(out.map((e) => e.fields), [
      { __proto__: null, A: ['x', 'y'], MESSAGE: 'm1' },
      { __proto__: null, MESSAGE: Uint8Array.from([0x61, 0xff]) },
    ]);
    assert.deepEqual(out.map((e) => e.seq), [1, 2]);
  });

  test('seq continues from firstSeq across chunks', () => {
    const decoder = new ChunkDecoder(41);
    const out: JournalEntry[] = [];
    for (const i of [1, 2]) decoder.decode(encodeChunk([{ cursor: addressFields(i)[0]![1], fields: [['MESSAGE', `m${i}`]] }]), out);
    assert.deepEqual(out.map((e) => e.seq), [41, 42]);
    assert.equal(decoder.nextSeq, 43);
  });

  test('a chunk over 64 KiB (read as several strings): entries across the string boundaries decode the same', () => {
    // About 300 KB: UTF-8, invalid UTF-8 and ASCII values on both sides of every 64 KiB boundary, one entry larger than a string.
    const entries = Array.from({ length: 300 }, (_, i) => ({
      i: i + 1,
      bootId: 'c'.repeat(32),
      fields: [
        ['MESSAGE', i % 7 === 0 ? `é ${'m'.repeat(700 + (i % 13))} ü` : `${'m'.repeat(700 + (i % 13))}`],
        ['BIN', i % 11 === 0 ? Uint8Array.from([0x61, 0xc3, 0x28, i & 0xff]) : 'plain'],
        ['BIG', i === 150 ? 'b'.repeat(100_000) + 'ß' : 'small'],
        ['_PID', String(i)],
      ] as Field[],
    }));
    assert.deepStrictEqual(viaChunk(entries), viaExport(entries));
  });

  test('property: large entries in one chunk (several strings) decode as ExportParser makes them', () => {
    const value: fc.Arbitrary<ExportValue> = fc.oneof(
      fc.string({ maxLength: 30 }),
      fc.string({ unit: 'grapheme', maxLength: 20 }),
      fc.uint8Array({ maxLength: 30 }),
      fc.integer({ min: 1, max: 40_000 }).map((n) => 'x'.repeat(n)),
      fc.integer({ min: 1, max: 40_000 }).map((n) => 'é'.repeat(n)),
    );
    const entry = fc.record({ fields: fc.array(fc.tuple(fc.constantFrom('MESSAGE', 'A', '_PID'), value), { maxLength: 6 }) });
    fc.assert(
      fc.property(fc.array(entry, { minLength: 1, maxLength: 20 }), (generated) => {
        const entries = generated.map((e, i) => ({ i: i + 1, bootId: 'd'.repeat(32), fields: e.fields }));
        assert.deepStrictEqual(viaChunk(entries), viaExport(entries));
      }),
      { numRuns: 60 },
    );
  });

  test('property: the same entries through export text + ExportParser and through a chunk + ChunkDecoder are equal', () => {
    const name = fc.constantFrom('MESSAGE', 'TAG', 'A', '_PID', 'CONTAINER_NAME', 'X_1', 'LONG_NAME_LONG_NAME_LONG_NAME_LONG', 'MESSAGE_ID');
    const value: fc.Arbitrary<ExportValue> = fc.oneof(
      fc.string({ maxLength: 30 }),
      fc.string({ unit: 'grapheme', maxLength: 20 }),
      fc.string({ unit: 'binary', maxLength: 20 }),
      fc.uint8Array({ maxLength: 30 }),
      fc.constantFrom('', '=', 'a=b', '\n', '\uFFFD', 'é', 'x'.repeat(300)),
    );
    const entry = fc.record({ fields: fc.array(fc.tuple(name, value), { maxLength: 10 }), boot: fc.constantFrom('a'.repeat(32), 'b'.repeat(32)) });
    fc.assert(
      fc.property(fc.array(entry, { minLength: 1, maxLength: 8 }), (generated) => {
        const entries = generated.map((e, i) => ({ i: i + 1, bootId: e.boot, fields: e.fields }));
        assert.deepStrictEqual(viaChunk(entries), viaExport(entries));
      }),
      { numRuns: 150 },
    );
  });
});
