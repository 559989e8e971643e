// Loggly event encoding: the JSON shape, tag sanitizing, and events over the 1 MB limit split or truncated with markers.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { encodeLogglyEvent } from '../../../adapters/loggly/encode.ts';
import { compileLogglyTags, sanitizeTag } from '../../../adapters/loggly/tags.ts';
import { LOGGLY_MAX_EVENT_BYTES } from '../../../adapters/loggly/config.ts';
import { sampleRecord, SAMPLE_TIME } from '../../standins/sample-records.ts';

const PART = / \[journal-fanout part (\d+)\/(\d+)\]$/;

describe('encodeLogglyEvent', () => {
  test('one JSON line with an ISO 8601 timestamp, level, message, source metadata and the record fields', () => {
    const record = sampleRecord(3);
    const [event, ...rest] = encodeLogglyEvent(record, 'split');
    assert.equal(rest.length, 0);
    assert.ok(event!.data.endsWith('\n'));
    assert.equal(event!.size, Buffer.byteLength(event!.data));
    assert.equal(event!.time, record.time);
    const parsed = JSON.parse(event!.data);
    assert.deepEqual(parsed, {
      timestamp: new Date(SAMPLE_TIME + 3).toISOString(),
      level: 'error',
      message: 'message 3',
      service: 'svc-3',
      stream: 'c0ffee000003',
      host: 'host-a',
      container: { id: 'c0ffee000003', name: 'svc-3-1', image: 'repo/svc-3:1' },
      pid: 103,
      seq: 3,
      user: 'u3',
    });
    assert.equal(Object.keys(parsed)[0], 'timestamp');
  });

  test('a field whose name is taken by the metadata is kept under "fields", nothing dropped; "__proto__" stays data', () => {
    const fields = JSON.parse('{"host":"other","level":"x","fields":1,"__proto__":{"polluted":true},"ok":2}') as Record<string, unknown>;
    const parsed = JSON.parse(encodeLogglyEvent(sampleRecord(0, { fields }), 'split')[0]!.data);
    assert.equal(parsed.host, 'host-a');
    assert.equal(parsed.ok, 2);
    assert.deepEqual(parsed.fields.host, 'other');
    assert.deepEqual(parsed.fields.level, 'x');
    assert.deepEqual(parsed.fields.fields, 1);
    assert.ok(Object.hasOwn(parsed, '__proto__'));
    assert.equal(({} as Record<string, unknown>).polluted, undefined);
  });

  test('an event over 1 MB is split into marked parts, each within the limit, that join back to the message', () => {
    const message = 'x'.repeat(2_500_000);
    const events = encodeLogglyEvent(sampleRecord(1, { message }), 'split');
    assert.equal(events.length, 3);
    let joined = '';
    events.forEach((e, i) => {
      assert.ok(e.size - 1 <= LOGGLY_MAX_EVENT_BYTES, `part ${i} is ${e.size - 1} bytes`);
      const parsed = JSON.parse(e.data);
      const m = PART.exec(parsed.message);
      assert.ok(m, 'part marker present');
      assert.equal(Number(m[1]), i + 1);
      assert.equal(Number(m[2]), 3);
      assert.equal(parsed.service, 'svc-1');
      assert.equal(parsed.seq, i === 0 ? 1 : undefined, 'fields travel in the first part');
      joined += parsed.message.replace(PART, '');
    });
    assert.equal(joined, message);
  });

  test('with oversize: truncate, one event within the limit, marked with the bytes cut', () => {
    const message = 'é'.repeat(700_000); // 1.4 MB of UTF-8
    const [event, ...rest] = encodeLogglyEvent(sampleRecord(1, { message }), 'truncate');
    assert.equal(rest.length, 0);
    assert.ok(event!.size - 1 <= LOGGLY_MAX_EVENT_BYTES);
    const parsed = JSON.parse(event!.data);
    const m = / \[journal-fanout truncated (\d+) bytes\]$/.exec(parsed.message);
    assert.ok(m);
    const kept = parsed.message.replace(/ \[journal-fanout truncated \d+ bytes\]$/, '');
    assert.equal(Buffer.byteLength(kept) + Number(m[1]), Buffer.byteLength(message));
  });

  test('fields too large to ride along move into the message text, and are split with it', () => {
    const fields = { blob: 'y'.repeat(1_200_000) };
    const events = encodeLogglyEvent(sampleRecord(1, { message: 'short', fields }), 'split');
    assert.ok(events.length >= 2);
    const text = events.map((e) => JSON.parse(e.data).message.replace(PART, '')).join('');
    assert.equal(text, `short\n[journal-fanout fields] ${JSON.stringify(fields)}`);
    for (const e of events) assert.ok(e.size - 1 <= LOGGLY_MAX_EVENT_BYTES);
  });

  test('property: split parts always fit and rejoin to the message, whatever its characters', () => {
    const max = 400;
    fc.assert(
      fc.property(fc.string({ unit: 'binary', maxLength: 3000 }), (message) => {
        const events = encodeLogglyEvent(sampleRecord(2, { message, fields: {} }), 'split', max);
        for (const e of events) assert.ok(Buffer.byteLength(e.data) - 1 <= max);
        if (events.length === 1 && !PART.test(JSON.parse(events[0]!.data).message)) {
          assert.equal(JSON.parse(events[0]!.data).message, message);
          return;
        }
        assert.equal(events.map((e) => JSON.parse(e.data).message.replace(PART, '')).join(''), message);
      }),
      { numRuns: 300 },
    );
  });
});

describe('Loggly tags', () => {
  const cases: Array<[string, string]> = [
    ['web', 'web'],
    ['my service/v2', 'my_service_v2'],
    ['-lead', 'lead'],
    ['__x', 'x'],
    ['a.b-c_d', 'a.b-c_d'],
    ['café', 'caf_'],
    ['-', ''],
    ['z'.repeat(80), 'z'.repeat(64)],
  ];
  for (const [input, expected] of cases) test(`sanitizeTag(${JSON.stringify(input.slice(0, 12))}) = ${JSON.stringify(expected.slice(0, 12))}`, () => assert.equal(sanitizeTag(input), expected));

  test('templates render per record; duplicates and empty tags are left out', () => {
    const tags = compileLogglyTags(['{service}', 'prod', '{unit}', 'prod', '{container.name}'], 'destinations.loggly.tags');
    assert.equal(tags(sampleRecord(1)), 'svc-1,prod,svc-1-1');
  });

  test('no tags: an empty tag set', () => {
    assert.equal(compileLogglyTags([], 'destinations.loggly.tags')(sampleRecord(1)), '');
  });

  test('an invalid template is a ConfigError naming the key', () => {
    assert.throws(() => compileLogglyTags(['{nope}'], 'destinations.loggly.tags'), /destinations\.loggly\.tags\[0\]: unknown name "nope"/);
  });
});
