// Property: whatever bytes a MESSAGE holds, normalizing and encoding never throw and the text survives.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import fc from 'fast-check';
import type { JournalEntry } from '../../src/model/journal-entry.ts';
import type { LogRecord } from '../../src/model/log-record.ts';
import { recordToJsonLine, recordToText } from '../../src/normalize/encode.ts';
import { Normalizer } from '../../src/normalize/normalizer.ts';
import { recordsOptionsSchema } from '../../src/normalize/options.ts';

const decoder = new TextDecoder('utf-8', { fatal: false });

function entry(message: string | Uint8Array, seq = 1): JournalEntry {
  return {
    seq,
    cursor: `s=${seq}`,
    realtimeUs: 1_795_539_133_500_000,
    monotonicUs: 1,
    bootId: 'b',
    fields: { MESSAGE: message, PRIORITY: '6', CONTAINER_ID: '0123456789ab', CONTAINER_NAME: 'app', _HOSTNAME: 'h' },
  };
}

function normalizeOne(message: string | Uint8Array): LogRecord {
  const normalizer = new Normalizer(recordsOptionsSchema.parse({ multiline: { enabled: false } }), 'h');
  const out: LogRecord[] = [];
  normalizer.push(entry(message), (r) => out.push(r));
  assert.equal(out.length, 1);
  return out[0]!;
}

/** The text is kept as the message, or (a JSON object) its message and fields say the same as the text. */
function assertSurvives(text: string, record: LogRecord): void {
  if (record.message === text) return;
  const parsed = JSON.parse(text) as Record<string, unknown>;
  assert.ok(parsed !== null && typeof parsed === 'object' && !Array.isArray(parsed), 'only a JSON object may change the message');
  for (const [k, v] of Object.entries(record.fields)) assert.deepStrictEqual(v, parsed[k], `field ${k}`);
  assert.ok(Object.values(parsed).includes(record.message), 'the message is one of the object\'s values');
}

const jsonish = fc.oneof(
  fc.object().map((o) => JSON.stringify(o)),
  fc.record({ level: fc.oneof(fc.string(), fc.integer(), fc.constantFrom('info', 'WARN', 50)), msg: fc.string(), time: fc.oneof(fc.string(), fc.double(), fc.integer()) }).map((o) => JSON.stringify(o)),
  fc.string().map((s) => `{"msg":${JSON.stringify(s)}${s}`),
);
const texty = fc.oneof(
  fc.string(),
  fc.string({ unit: 'binary' }),
  fc.tuple(fc.constantFrom('2026-11-24T16:52:13Z ', '2026/11/24 16:52:13 ', 'Nov 24 16:52:13 ', 'I1124 16:52:13.000001 ', '[warn] ', 'ERROR: ', '10.0.0.1 - - [24/Nov/2026:16:52:13 +0000] "'), fc.string()).map(([a, b]) => a + b),
  fc.array(fc.tuple(fc.string({ maxLength: 5 }), fc.string({ maxLength: 8 })), { maxLength: 6 }).map((pairs) => pairs.map(([k, v]) => `${k}=${v}`).join(' ')),
);

test('any bytes as MESSAGE: never throws, text survives, record encodes', () => {
  fc.assert(
    fc.property(fc.uint8Array({ maxLength: 300 }), (bytes) => {
      const record = normalizeOne(bytes);
      assertSurvives(decoder.decode(bytes), record);
      JSON.parse(recordToJsonLine(record));
      recordToText(record);
    }),
    { numRuns: 3000 },
  );
});

test('any JSON-like or log-like text: never throws, text survives, record encodes', () => {
  fc.assert(
    fc.property(fc.oneof(jsonish, texty), (text) => {
      const record = normalizeOne(text);
      assertSurvives(text, record);
      assert.ok(Number.isFinite(record.time));
      JSON.parse(recordToJsonLine(record));
    }),
    { numRuns: 3000 },
  );
});

test('pathologically nested JSON stays text and still encodes', () => {
  for (const depth of [499, 501, 5000, 100_000]) {
    const text = '['.repeat(depth) + ']'.repeat(depth);
    const obj = '{"a":'.repeat(depth) + '1' + '}'.repeat(depth);
    for (const t of [text, obj]) {
      const record = normalizeOne(t);
      JSON.parse(recordToJsonLine(record));
    }
  }
});

test('any sequence of lines through multiline and partial joining: every seq in exactly one record', () => {
  const line = fc.oneof(fc.string({ maxLength: 20 }), fc.constantFrom('\tat x', '  y', 'Traceback (most recent call last):', 'E: e', 'goroutine 1 [running]:', 'panic: p', ''));
  fc.assert(
    fc.property(fc.array(fc.tuple(line, fc.boolean(), fc.boolean(), fc.nat(700)), { maxLength: 60 }), (items) => {
      let now = 0;
      const normalizer = new Normalizer(recordsOptionsSchema.parse({ multiline: { max_lines: 3 } }), 'h', () => now);
      const out: LogRecord[] = [];
      const emit = (r: LogRecord) => out.push(r);
      items.forEach(([text, partial, other, wait], i) => {
        const e = entry(text, i + 1);
        if (partial) e.fields.CONTAINER_PARTIAL_MESSAGE = 'true';
        if (other) e.fields.CONTAINER_ID = 'ba9876543210';
        normalizer.push(e, emit);
        now += wait;
        normalizer.flushDue(now, emit);
      });
      normalizer.flushAll(emit);
      const seqs = out.flatMap((r) => [...(r.joinedSeqs ?? []), r.seq]).sort((a, b) => a - b);
      assert.deepEqual(seqs, items.map((_, i) => i + 1));
    }),
    { numRuns: 500 },
  );
});
