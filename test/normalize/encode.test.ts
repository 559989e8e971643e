// Record encodings: the ecs-logs event JSON line and the text line.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { LogRecord } from '../../src/model/log-record.ts';
import { ecsLogsSourceParts, escapedJsonLine, escapedJsonLineRoom, isoTime, jsonLineBytes, recordToJsonLine, recordToText, writeEscapedJsonLine } from '../../src/normalize/encode.ts';
import fc from 'fast-check';

const container: LogRecord = {
  time: Date.UTC(2026, 10, 24, 16, 52, 13, 123),
  level: 'warning',
  message: 'disk "almost" full\n',
  fields: { free: '1G', nested: { a: [1, 2] } },
  source: {
    host: 'node-1',
    service: 'auth-api',
    stream: '0123456789ab',
    container: { id: '0123456789ab', name: 'ecs-auth-api-3-app-aabb', image: 'auth:3' },
    identifier: '0123456789ab',
    ecs: { cluster: 'prod', family: 'auth-api', revision: '3', taskArn: 'arn:x' },
  },
  cursor: 's=1',
  seq: 1,
};

test('recordToJsonLine writes the ecs-logs event shape, without cursor or seq', () => {
  const line = recordToJsonLine(container);
  assert.deepStrictEqual(JSON.parse(line), {
    level: 'WARN',
    time: '2026-11-24T16:52:13.123Z',
    message: 'disk "almost" full\n',
    info: { host: 'node-1', source: 'ecs-auth-api-3-app-aabb', id: '0123456789ab' },
    data: {
      fields: { free: '1G', nested: { a: [1, 2] } },
      service: 'auth-api',
      stream: '0123456789ab',
      container: { id: '0123456789ab', name: 'ecs-auth-api-3-app-aabb', image: 'auth:3' },
      identifier: '0123456789ab',
      ecs: { cluster: 'prod', family: 'auth-api', revision: '3', taskArn: 'arn:x' },
    },
  });
  assert.ok(!line.includes('\n'), 'one line');
  assert.ok(!line.includes('s=1'));
});

test('recordToJsonLine for a unit entry: info.source is the unit, info.pid the process', () => {
  const record: LogRecord = {
    ...container,
    level: 'emerg',
    fields: {},
    source: { host: 'h', service: 'nginx', stream: 'h', unit: 'nginx.service', identifier: 'nginx', pid: 900 },
  };
  assert.deepStrictEqual(JSON.parse(recordToJsonLine(record)), {
    level: 'EMERG',
    time: '2026-11-24T16:52:13.123Z',
    message: 'disk "almost" full\n',
    info: { host: 'h', source: 'nginx.service', pid: 900 },
    data: { fields: {}, service: 'nginx', stream: 'h', unit: 'nginx.service', identifier: 'nginx' },
  });
});

test('every level has its ecs-logs name', () => {
  const names = (['emerg', 'alert', 'crit', 'error', 'warning', 'notice', 'info', 'debug'] as const).map((level) => JSON.parse(recordToJsonLine({ ...container, level })).level);
  assert.deepEqual(names, ['EMERG', 'ALERT', 'CRIT', 'ERROR', 'WARN', 'NOTICE', 'INFO', 'DEBUG']);
});

test('recordToJsonLine writes the keys in ecs-logs order, absent ones left out, and its source keys are ecsLogsSourceParts', () => {
  const unit: LogRecord = { ...container, fields: {}, source: { host: 'h', service: 'nginx', stream: 'h', unit: 'nginx.service', identifier: 'nginx', pid: 900 } };
  const bare: LogRecord = { ...container, source: { host: 'h', service: 's', stream: 'h' } };
  const head = '{"level":"WARN","time":"2026-11-24T16:52:13.123Z","message":"disk \\"almost\\" full\\n",';
  const lines: Array<[LogRecord, string]> = [
    [
      container,
      head +
        '"info":{"host":"node-1","source":"ecs-auth-api-3-app-aabb","id":"0123456789ab"},"data":{"fields":{"free":"1G","nested":{"a":[1,2]}},' +
        '"service":"auth-api","stream":"0123456789ab","container":{"id":"0123456789ab","name":"ecs-auth-api-3-app-aabb","image":"auth:3"},' +
        '"identifier":"0123456789ab","ecs":{"cluster":"prod","family":"auth-api","revision":"3","taskArn":"arn:x"}}}',
    ],
    [unit, head + '"info":{"host":"h","source":"nginx.service","pid":900},"data":{"fields":{},"service":"nginx","stream":"h","unit":"nginx.service","identifier":"nginx"}}'],
    [bare, head + '"info":{"host":"h"},"data":{"fields":{"free":"1G","nested":{"a":[1,2]}},"service":"s","stream":"h"}}'],
  ];
  for (const [record, expected] of lines) {
    assert.equal(recordToJsonLine(record), expected);
    const { info, dataTail } = ecsLogsSourceParts(record.source);
    const line = JSON.parse(expected) as { info: unknown; data: Record<string, unknown> };
    assert.equal(JSON.stringify(info), JSON.stringify(line.info));
    const { fields: _fields, ...tail } = line.data;
    assert.equal(JSON.stringify(dataTail), JSON.stringify(tail));
  }
});

test('recordToText', () => {
  assert.equal(recordToText({ ...container, message: 'hi' }), '2026-11-24T16:52:13.123Z warning auth-api/0123456789ab hi');
});

test('isoTime says what Date#toISOString says, in any order of calls (property)', () => {
  const expected = (ms: number) => {
    const d = new Date(Math.floor(ms));
    return Number.isNaN(d.getTime()) ? new Date(0).toISOString() : d.toISOString();
  };
  for (const ms of [0, 999, 1000, 1_700_000_000_123.9, -1, -1500, 253_402_300_800_000, 8.64e15, -8.64e15, 8.64e15 + 1, NaN, Infinity]) {
    assert.equal(isoTime(ms), expected(ms), String(ms));
  }
  fc.assert(
    fc.property(fc.array(fc.double({ min: -1e14, max: 1e14, noNaN: true }), { minLength: 1, maxLength: 50 }), (times) => {
      for (const ms of times) assert.equal(isoTime(ms), expected(ms));
    }),
  );
});

test('a record is encoded once for every destination of its format, and each record gets its own line', () => {
  const first = { ...container, message: 'first ünïcode' };
  const line = recordToJsonLine(first);
  // A second destination asking for the same record gets the same string, and its byte count.
  assert.equal(recordToJsonLine(first), line);
  assert.equal(jsonLineBytes(first), Buffer.byteLength(line));
  // A record of the same content is a new record: encoded afresh, never confused with the previous one.
  const second = { ...container, message: 'second' };
  assert.equal(JSON.parse(recordToJsonLine(second)).message, 'second');
  assert.equal(jsonLineBytes(second), Buffer.byteLength(recordToJsonLine(second)));
  assert.equal(JSON.parse(recordToJsonLine(first)).message, 'first ünïcode');
  assert.equal(jsonLineBytes(first), Buffer.byteLength(line));
});

/** Records of any text: binary units (lone surrogates, control characters), quotes, backslashes, any source shape. */
const char = fc.oneof(fc.constantFrom('\ud83d', '\ude00', '"', '\\', '\u2028', '\u0000', '\u001f', '\u007f', 'é', '€'), fc.string({ unit: 'binary', minLength: 1, maxLength: 1 }));
const text = fc.string({ unit: char, maxLength: 40 });
const anyRecord = fc.record({
  time: fc.integer({ min: 0, max: 4_102_444_800_000 }),
  level: fc.constantFrom('emerg', 'alert', 'crit', 'error', 'warning', 'notice', 'info', 'debug' as const),
  message: text,
  fields: fc.dictionary(text, fc.oneof(text, fc.integer(), fc.boolean(), fc.array(text, { maxLength: 3 }), fc.dictionary(text, text, { maxKeys: 3 })), { maxKeys: 5 }),
  source: fc.record(
    {
      host: text,
      service: text,
      stream: text,
      container: fc.record({ id: text, name: text, image: text }),
      unit: text,
      identifier: text,
      pid: fc.integer({ min: 1, max: 4_194_304 }),
      ecs: fc.record({ cluster: text, family: text, revision: text, taskArn: text }),
    },
    { requiredKeys: ['host', 'service', 'stream'] },
  ),
  cursor: fc.constant('s=1'),
  seq: fc.nat(),
});

test('the escaped line is JSON.stringify of the line without its quotes, and its byte count the line\'s, in any order of calls (property)', () => {
  fc.assert(
    fc.property(anyRecord, fc.boolean(), (r, lineFirst) => {
      const record = r as LogRecord;
      // A fresh record each time: asked for its escaped copy or byte count before or after its line.
      const line = lineFirst ? recordToJsonLine(record) : undefined;
      const escaped = escapedJsonLine(record);
      const bytes = jsonLineBytes(record);
      const expected = line ?? recordToJsonLine(record);
      assert.equal(recordToJsonLine(record), expected);
      assert.equal(escaped, JSON.stringify(expected).slice(1, -1));
      assert.equal(bytes, Buffer.byteLength(expected));
      assert.equal(JSON.parse(expected).message, record.message);
    }),
    { numRuns: 500 },
  );
});

test('the escaped line written into a buffer is escapedJsonLine\'s UTF-8 bytes, within its room, the bytes around it untouched (property)', () => {
  fc.assert(
    fc.property(anyRecord, fc.boolean(), fc.integer({ min: 1, max: 40 }), (r, stringFirst, at) => {
      const record = r as LogRecord;
      // Asked for before or after the string: the parts are cached per record either way.
      const first = stringFirst ? escapedJsonLine(record) : undefined;
      const room = escapedJsonLineRoom(record);
      const bytes = Buffer.alloc(at + room + 8, 0xaa);
      const end = writeEscapedJsonLine(record, bytes, at);
      const expected = Buffer.from(first ?? escapedJsonLine(record), 'utf8');
      assert.equal(end - at, expected.length);
      assert.ok(end - at <= room);
      assert.deepEqual(bytes.subarray(at, end), expected);
      assert.ok(bytes.subarray(0, at).every((b) => b === 0xaa));
      assert.ok(bytes.subarray(end).every((b) => b === 0xaa));
    }),
    { numRuns: 500 },
  );
});
