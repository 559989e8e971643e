// The Loggly event and LogDNA line written by hand are, byte for byte, what JSON.stringify writes for the same object.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import fc from 'fast-check';
import { encodeLogdnaLine, LOGDNA_LEVELS } from '../../../adapters/logdna/encode.ts';
import { encodeLogglyEvent } from '../../../adapters/loggly/encode.ts';
import { addSourceAndFields } from '../../../adapters/http/record-meta.ts';
import { LEVELS, type LogRecord } from '../../../src/model/log-record.ts';
import { isoTime } from '../../../src/normalize/encode.ts';

/** Field names that clash with the event's keys or the source's, that JSON.stringify orders first, or that are special. */
const name = fc.oneof(
  fc.constantFrom('timestamp', 'level', 'message', 'line', 'meta', 'service', 'stream', 'host', 'container', 'unit', 'identifier', 'pid', 'ecs', 'fields', '__proto__', '0', '42', '4294967295', '01', 'toJSON'),
  fc.string({ maxLength: 8 }),
);
const value = fc.jsonValue({ maxDepth: 2 });

const record = fc.record({
  time: fc.oneof(fc.integer({ min: 0, max: 4e12 }), fc.double({ min: 0, max: 4e12, noNaN: true })),
  level: fc.constantFrom(...LEVELS),
  message: fc.string({ unit: 'binary', maxLength: 60 }),
  fields: fc.dictionary(name, value, { maxKeys: 6 }),
  source: fc.record(
    {
      host: fc.string({ maxLength: 10 }),
      service: fc.string({ maxLength: 10 }),
      stream: fc.string({ maxLength: 10 }),
      container: fc.record({ id: fc.string({ maxLength: 12 }), name: fc.string({ maxLength: 10 }), image: fc.string({ maxLength: 10 }) }),
      unit: fc.string({ maxLength: 10 }),
      identifier: fc.string({ maxLength: 10 }),
      pid: fc.integer({ min: 1, max: 99999 }),
      ecs: fc.record({ cluster: fc.string({ maxLength: 6 }), family: fc.string({ maxLength: 6 }), revision: fc.string({ maxLength: 3 }), taskArn: fc.string({ maxLength: 10 }) }),
    },
    { requiredKeys: ['host', 'service', 'stream'] },
  ),
  cursor: fc.constant('c'),
  seq: fc.constant(1),
}) as fc.Arbitrary<LogRecord>;

test('a Loggly event is what JSON.stringify writes for its object (property)', () => {
  fc.assert(
    fc.property(record, (r) => {
      const expected = JSON.stringify(addSourceAndFields({ timestamp: isoTime(r.time), level: r.level, message: r.message }, r, true));
      assert.equal(encodeLogglyEvent(r, 'split')[0]!.data, expected + '\n');
    }),
    { numRuns: 500 },
  );
});

test('a LogDNA line is what JSON.stringify writes for its object (property)', () => {
  fc.assert(
    fc.property(record, fc.string({ maxLength: 10 }), (r, app) => {
      const expected = JSON.stringify({ timestamp: r.time, line: r.message, app, level: LOGDNA_LEVELS[r.level], meta: addSourceAndFields({ level: r.level }, r, true) });
      assert.equal(encodeLogdnaLine(r, app, 'split')[0]!.data, expected);
    }),
    { numRuns: 500 },
  );
});

test('one record encoded for Loggly and LogDNA in turn, in either order, gives each its own JSON (property)', () => {
  fc.assert(
    fc.property(record, fc.string({ maxLength: 10 }), fc.boolean(), (r, app, logglyFirst) => {
      const loggly = JSON.stringify(addSourceAndFields({ timestamp: isoTime(r.time), level: r.level, message: r.message }, r, true)) + '\n';
      const logdna = JSON.stringify({ timestamp: r.time, line: r.message, app, level: LOGDNA_LEVELS[r.level], meta: addSourceAndFields({ level: r.level }, r, true) });
      const encodeLoggly = () => assert.equal(encodeLogglyEvent(r, 'split')[0]!.data, loggly);
      const encodeLogdna = () => assert.equal(encodeLogdnaLine(r, app, 'split')[0]!.data, logdna);
      if (logglyFirst) {
        encodeLoggly();
        encodeLogdna();
      } else {
        encodeLogdna();
        encodeLoggly();
      }
      encodeLoggly();
      encodeLogdna();
    }),
    { numRuns: 500 },
  );
});
