import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import {
  EMPTY_MESSAGE,
  encodeRecord,
  EVENT_OVERHEAD_BYTES,
  MAX_BATCH_BYTES,
  MAX_EVENT_BYTES,
  putLogEventsBody,
  type LogEvent,
} from '../../../adapters/cloudwatch/request-builder.ts';
import { CloudWatchLogsClient, PutLogEventsCommand } from '@aws-sdk/client-cloudwatch-logs';
import { EventBatch } from '../../../adapters/cloudwatch/event-batch.ts';
import { escapedJsonLineBytes, recordToJsonLine } from '../../../src/normalize/encode.ts';
import { record } from './fixtures.ts';

const bytes = (s: string) => Buffer.byteLength(s);

describe('encoding records as events', () => {
  test('json by default: the record as one JSON line; size is UTF-8 bytes + 26', () => {
    const r = record({ message: 'héllo', time: 1_700_000_000_123.7, fields: { user: 'ü' } });
    const [e, more] = encodeRecord(r, 'json', 'split');
    assert.equal(more, undefined);
    // The shared JSON line of src/normalize/encode.ts, as every JSON destination sends it.
    assert.equal(e!.data.message, recordToJsonLine(r));
    assert.equal(JSON.parse(e!.data.message).message, 'héllo');
    assert.equal(e!.data.timestamp, 1_700_000_000_123);
    assert.equal(e!.time, 1_700_000_000_123);
    assert.equal(e!.size, bytes(e!.data.message) + EVENT_OVERHEAD_BYTES);
  });

  test('text: the plain message; an empty message is replaced, never sent empty', () => {
    assert.equal(encodeRecord(record({ message: 'plain' }), 'text', 'split')[0]!.data.message, 'plain');
    const [e] = encodeRecord(record({ message: '' }), 'text', 'split');
    assert.equal(e!.data.message, EMPTY_MESSAGE);
  });

  test('an event of exactly the limit is kept whole', () => {
    const message = 'x'.repeat(MAX_EVENT_BYTES - EVENT_OVERHEAD_BYTES);
    const events = encodeRecord(record({ message }), 'text', 'split');
    assert.equal(events.length, 1);
    assert.equal(events[0]!.size, MAX_EVENT_BYTES);
  });

  test('an event of 1 MiB + 1 byte is split at UTF-8 boundaries into marked parts that hold every byte', () => {
    // 3-byte characters so that a byte cut would land inside one.
    const message = '€'.repeat(Math.ceil((MAX_EVENT_BYTES + 1) / 3));
    const events = encodeRecord(record({ message }), 'text', 'split');
    assert.equal(events.length, 2);
    let rebuilt = '';
    events.forEach((e, i) => {
      assert.ok(e.size <= MAX_EVENT_BYTES, `part ${i} is ${e.size} bytes`);
      assert.equal(e.size, bytes(e.data.message) + EVENT_OVERHEAD_BYTES);
      assert.ok(!e.data.message.includes('\ufffd'), 'no character was cut');
      const marker = `[journal-fanout part ${i + 1}/2] `;
      assert.ok(e.data.message.startsWith(marker));
      rebuilt += e.data.message.slice(marker.length);
    });
    assert.equal(rebuilt, message);
  });

  test('truncate keeps the start and says how much was cut', () => {
    const message = 'é'.repeat(MAX_EVENT_BYTES);
    const [e, more] = encodeRecord(record({ message }), 'text', 'truncate');
    assert.equal(more, undefined);
    assert.ok(e!.size <= MAX_EVENT_BYTES);
    const m = /^(é+) \[journal-fanout truncated (\d+) bytes\]$/.exec(e!.data.message);
    assert.ok(m, 'marker at the end');
    assert.equal(bytes(m[1]!) + Number(m[2]), bytes(message));
  });

  test('any text splits into parts within the limit that rebuild it (property)', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'grapheme', minLength: 1, maxLength: 20 }), fc.integer({ min: 1, max: 3 }), (unit, factor) => {
        const message = unit.repeat(Math.ceil((MAX_EVENT_BYTES * factor) / bytes(unit)) + 1);
        const events = encodeRecord(record({ message }), 'text', 'split');
        let rebuilt = '';
        for (const e of events) {
          assert.ok(e.size <= MAX_EVENT_BYTES);
          rebuilt += e.data.message.replace(/^\[journal-fanout part \d+\/\d+\] /, '');
        }
        assert.equal(rebuilt, message);
      }),
      { numRuns: 20 },
    );
  });
});

describe('planning requests', () => {
  const ev = (timestamp: number, message = 'm'): LogEvent => ({ timestamp, message });


  test('a batch within the limits is one request, stable-sorted by time', () => {
    const events = [ev(3, 'c'), ev(1, 'a1'), ev(2, 'b'), ev(1, 'a2'), ev(1, 'a3')];
    const requests = planRequests(events);
    assert.equal(requests.length, 1);
    assert.deepEqual(requests[0]!.map((e) => e.message), ['a1', 'a2', 'a3', 'b', 'c']);
    assert.equal(events[0]!.message, 'c', 'the input is not reordered');
  });

  test('10,000 events are one request, 10,001 are two', () => {
    assert.equal(planRequests(Array.from({ length: 10_000 }, (_, i) => ev(i))).length, 1);
    assert.deepEqual(planRequests(Array.from({ length: 10_001 }, (_, i) => ev(i))).map((r) => r.length), [10_000, 1]);
  });

  test('exactly 1,048,576 bytes is one request; one byte more is two', () => {
    const each = MAX_BATCH_BYTES / 4 - EVENT_OVERHEAD_BYTES;
    const four = Array.from({ length: 4 }, (_, i) => ev(i, 'x'.repeat(each)));
    assert.equal(planRequests(four).length, 1);
    four[3] = ev(3, 'x'.repeat(each + 1));
    assert.deepEqual(planRequests(four).map((r) => r.length), [3, 1]);
  });

  test('a 25 h span is cut so that no request spans more than 24 h', () => {
    const h = 3_600_000;
    const events = Array.from({ length: 26 }, (_, i) => ev(i * h));
    const requests = planRequests(events);
    assert.equal(requests.length, 2);
    for (const r of requests) assert.ok(r.at(-1)!.timestamp - r[0]!.timestamp <= 24 * h);
    assert.equal(requests.flat().length, 26);
  });

  test('an empty message is replaced, not dropped', () => {
    assert.deepEqual(planRequests([ev(1, '')])[0], [ev(1, EMPTY_MESSAGE)]);
  });
});

describe('the PutLogEvents body', () => {
  /** The body the SDK's own serializer writes for the same input, caught before it is sent. */
  async function sdkBody(group: string, stream: string, events: LogEvent[]): Promise<string> {
    const client = new CloudWatchLogsClient({ region: 'us-east-1', endpoint: 'http://127.0.0.1:9', maxAttempts: 1 });
    let body = '';
    client.middlewareStack.add(
      () => async (args) => {
        body = (args.request as { body: string }).body;
        throw new Error('caught');
      },
      { step: 'build', priority: 'low', name: 'catchBody' },
    );
    await client.send(new PutLogEventsCommand({ logGroupName: group, logStreamName: stream, logEvents: events })).catch(() => {});
    client.destroy();
    return body;
  }

  test('says what the SDK serializer says, for any text (property)', async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(fc.record({ timestamp: fc.integer({ min: 0, max: 2 ** 45 }), message: fc.string({ unit: 'grapheme', minLength: 1 }) }), { minLength: 1, maxLength: 20 }), async (events) => {
        assert.deepEqual(JSON.parse(putLogEventsBody('/ecs/g', 'c/1', events)), JSON.parse(await sdkBody('/ecs/g', 'c/1', events)));
      }),
      { numRuns: 100 },
    );
  });

  test('quotes, backslashes, control characters and non-ASCII text survive', async () => {
    const events = [ev(1, 'a "quoted" \\ back\nslash'), ev(2, 'tab\tnul\u0000 bell\u0007'), ev(3, 'héllo wörld 日本 🎉')];
    assert.deepEqual(JSON.parse(putLogEventsBody('g', 's', events)), { logGroupName: 'g', logStreamName: 's', logEvents: events });
    assert.deepEqual(JSON.parse(putLogEventsBody('g', 's', events)), JSON.parse(await sdkBody('g', 's', events)));
  });
});

const ev = (timestamp: number, message = 'm'): LogEvent => ({ timestamp, message });

/** The batch's bodies are, in turn, putLogEventsBody of `events` stable-sorted by time, cut where they are cut; none is left out. */
function assertBodiesInTimeOrder(batch: EventBatch, events: readonly LogEvent[]): void {
  const sorted = [...events].sort((a, b) => a.timestamp - b.timestamp);
  let from = 0;
  for (const { body, events: count } of batch.bodies('g', 's')) {
    assert.equal(body.toString('utf8'), putLogEventsBody('g', 's', sorted.slice(from, from + count)));
    from += count;
  }
  assert.equal(from, events.length);
}

/** The requests a batch of these events is sent as, read back from their bodies. */
function planRequests(events: readonly LogEvent[]): LogEvent[][] {
  return EventBatch.of(events)
    .bodies('g', 's')
    .map(({ body, events: count }) => {
      const parsed = JSON.parse(body.toString('utf8')) as { logGroupName: string; logStreamName: string; logEvents: LogEvent[] };
      assert.equal(parsed.logEvents.length, count);
      return parsed.logEvents;
    });
}

describe('a batch kept as body bytes', () => {
  const events = fc.array(fc.record({ timestamp: fc.integer({ min: 1_700_000_000_000, max: 1_700_000_000_000 + 24 * 3_600_000 }), message: fc.string({ unit: 'binary', minLength: 1, maxLength: 100 }) }), { minLength: 1, maxLength: 30 });

  test('its body is, byte for byte, what putLogEventsBody writes for the events in time order (property)', () => {
    fc.assert(
      fc.property(events, fc.constantFrom('g', '/ecs/svc-é', 'a"b'), (list, group) => {
        const sorted = [...list].sort((a, b) => a.timestamp - b.timestamp);
        const bodies = EventBatch.of(list).bodies(group, 'c/1');
        assert.equal(bodies.length, 1);
        assert.equal(bodies[0]!.body.toString('utf8'), putLogEventsBody(group, 'c/1', sorted));
      }),
      { numRuns: 200 },
    );
  });

  test('json events added with their record write the bytes putLogEventsBody writes for their lines (property)', () => {
    const char = fc.oneof(fc.constantFrom('\ud83d', '\ude00', '"', '\\', '\u2028', '\u0000', 'é'), fc.string({ unit: 'binary', minLength: 1, maxLength: 1 }));
    const text = fc.string({ unit: char, maxLength: 60 });
    const records = fc.array(fc.record({ message: text, time: fc.integer({ min: 1_700_000_000_000, max: 1_700_000_000_000 + 3_600_000 }), fields: fc.dictionary(text, text, { maxKeys: 4 }), stream: text }), { minLength: 1, maxLength: 20 });
    fc.assert(
      fc.property(records, (list) => {
        const batch = new EventBatch();
        const sent: LogEvent[] = [];
        for (const r of list.map((o) => record(o))) {
          const [e, more] = encodeRecord(r, 'json', 'split');
          assert.equal(more, undefined);
          assert.equal(e!.record, r);
          assert.equal(e!.data.message, recordToJsonLine(r));
          assert.equal(e!.size, bytes(recordToJsonLine(r)) + EVENT_OVERHEAD_BYTES);
          batch.add(e!.data, e!.size, e!.record);
          sent.push({ timestamp: e!.data.timestamp, message: recordToJsonLine(r) });
        }
        const sorted = [...sent].sort((a, b) => a.timestamp - b.timestamp);
        assert.equal(batch.bodies('g', 's')[0]!.body.toString('utf8'), putLogEventsBody('g', 's', sorted));
      }),
      { numRuns: 200 },
    );
  });

  test('the segments of a released batch serve the next batches; bodies already made are left intact (property)', () => {
    fc.assert(
      fc.property(fc.array(events, { minLength: 2, maxLength: 6 }), (lists) => {
        const made: Array<{ body: Buffer; expected: string }> = [];
        for (const list of lists) {
          const batch = EventBatch.of(list);
          const sorted = [...list].sort((a, b) => a.timestamp - b.timestamp);
          for (const { body } of batch.bodies('g', 's')) made.push({ body, expected: putLogEventsBody('g', 's', sorted) });
          batch.release();
        }
        for (const { body, expected } of made) assert.equal(body.toString('utf8'), expected);
      }),
      { numRuns: 100 },
    );
    // Batches that grow through every pooled capacity, released, then built again from the pool.
    for (let round = 0; round < 2; round++) {
      const big = Array.from({ length: 900 }, (_, i) => ev(i, `${'é'.repeat(i % 500)}"${i}"`));
      const batch = EventBatch.of(big);
      const [only, more] = batch.bodies('g', 's');
      assert.equal(more, undefined);
      assert.equal(only!.body.toString('utf8'), putLogEventsBody('g', 's', big));
      batch.release();
    }
  });

  test('the bytes of events added one by one grow past the first capacity intact', () => {
    const big = Array.from({ length: 300 }, (_, i) => ev(i, `${'é'.repeat(i)}"${i}"`));
    assert.equal(EventBatch.of(big).bodies('g', 's')[0]!.body.toString('utf8'), putLogEventsBody('g', 's', big));
  });

  test('batches over many segments, in order or not, cut by span: each body is putLogEventsBody of its events (property)', () => {
    const hour = 3_600_000;
    // Messages of 100 to 3,200 characters (a short random text repeated): 200 to 400 of them fill several segments.
    const message = fc.tuple(fc.string({ unit: 'binary', minLength: 1, maxLength: 8 }), fc.integer({ min: 100, max: 400 })).map(([text, n]) => text.repeat(n));
    const list = fc.array(fc.record({ timestamp: fc.integer({ min: 0, max: 30 * hour }), message }), { minLength: 200, maxLength: 400 });
    fc.assert(
      fc.property(list, fc.boolean(), (events, sortFirst) => {
        const added = sortFirst ? [...events].sort((a, b) => a.timestamp - b.timestamp) : events;
        const batch = EventBatch.of(added);
        assert.ok(added.reduce((n, e) => n + e.message.length, 0) > 4 * 16 * 1024, 'more than the first segments hold');
        assertBodiesInTimeOrder(batch, added);
        batch.release();
      }),
      { numRuns: 40 },
    );
  });

  test('large json events fill the segments they start (exact room where the bound does not fit), bytes intact (property)', () => {
    const char = fc.constantFrom('a', '"', '\\', 'é', '日', '\u0001', '🎉');
    // Messages of 20,000 to 45,000 characters: the bound (twice the line's bytes) rarely fits what a segment has left.
    const message = fc.tuple(fc.string({ unit: char, minLength: 1, maxLength: 20 }), fc.integer({ min: 20_000, max: 45_000 })).map(([text, n]) => text.repeat(Math.ceil(n / text.length)).slice(0, n));
    const list = fc.array(fc.record({ message, time: fc.integer({ min: 1_700_000_000_000, max: 1_700_000_000_000 + 3_600_000 }), fields: fc.dictionary(fc.string({ maxLength: 5 }), fc.string({ unit: char, maxLength: 30 }), { maxKeys: 3 }), stream: fc.string({ maxLength: 10 }) }), { minLength: 8, maxLength: 12 });
    fc.assert(
      fc.property(list, (objects) => {
        const batch = new EventBatch();
        const sent: LogEvent[] = [];
        let lineBytes = 0;
        for (const r of objects.map((o) => record(o))) {
          const [e] = encodeRecord(r, 'json', 'split');
          batch.add(e!.data, e!.size, e!.record);
          sent.push({ timestamp: e!.data.timestamp, message: recordToJsonLine(r) });
          lineBytes += bytes(JSON.stringify(recordToJsonLine(r)));
        }
        assertBodiesInTimeOrder(batch, sent);
        // Reserving the bound (twice the line) for each, every event of this size would take a 128 KiB segment
        // of its own (about 2.8x); counted exactly where the bound does not fit, segments hold two or more.
        assert.ok(batch.capacity < 2 * lineBytes, `${batch.capacity} bytes held for ${lineBytes}`);
        batch.release();
      }),
      { numRuns: 10 },
    );
  });

  test('an event whose exact size is what its segment has left, one byte more or less, is written whole', () => {
    const ts = 1_700_000_000_000;
    const envelope = putLogEventsBody('g', 's', []).length; // `{"logGroupName":"g","logStreamName":"s","logEvents":[]}`
    const first = record({ message: 'first', time: ts });
    for (let d = -3; d <= 3; d++) {
      const batch = new EventBatch();
      const [e1] = encodeRecord(first, 'json', 'split');
      batch.add(e1!.data, e1!.size, e1!.record);
      const left = 16 * 1024 - (batch.bodies('g', 's')[0]!.body.length - envelope);
      // The second event's room: its prefix, the escaped line (one byte per "a"), the closing `"}`.
      const probe = record({ message: 'a', time: ts + 1 });
      const fixed = `,{"timestamp":${ts + 1},"message":"`.length + escapedJsonLineBytes(probe) - 1 + 2;
      const second = record({ message: 'a'.repeat(left + d - fixed), time: ts + 1 });
      const [e2] = encodeRecord(second, 'json', 'split');
      batch.add(e2!.data, e2!.size, e2!.record);
      assert.equal(batch.capacity, d <= 0 ? 16 * 1024 : 16 * 1024 + 32 * 1024, `d=${d}: ${batch.capacity} bytes held`);
      const expected = putLogEventsBody('g', 's', [
        { timestamp: ts, message: recordToJsonLine(first) },
        { timestamp: ts + 1, message: recordToJsonLine(second) },
      ]);
      assert.equal(batch.bodies('g', 's')[0]!.body.toString('utf8'), expected, `d=${d}`);
      batch.release();
    }
  });
});
