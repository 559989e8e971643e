// LogDNA line encoding: {timestamp ms, line, app, level, meta}, sizes that add up to the body, oversize lines split.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { encodeLogdnaLine, LINES_ENVELOPE_BYTES, LOGDNA_LEVELS } from '../../../adapters/logdna/encode.ts';
import { LOGDNA_MAX_LINE_BYTES } from '../../../adapters/logdna/config.ts';
import { LEVELS } from '../../../src/model/log-record.ts';
import { sampleRecord, SAMPLE_TIME } from '../../standins/sample-records.ts';

describe('encodeLogdnaLine', () => {
  test('timestamp in ms, line, app, Mezmo level name, meta with the syslog level, source and fields', () => {
    const [line, ...rest] = encodeLogdnaLine(sampleRecord(2), 'svc-2', 'split');
    assert.equal(rest.length, 0);
    assert.deepEqual(JSON.parse(line!.data), {
      timestamp: SAMPLE_TIME + 2,
      line: 'message 2',
      app: 'svc-2',
      level: 'FATAL',
      meta: {
        level: 'crit',
        service: 'svc-2',
        stream: 'c0ffee000002',
        host: 'host-a',
        container: { id: 'c0ffee000002', name: 'svc-2-1', image: 'repo/svc-2:1' },
        pid: 102,
        seq: 2,
        user: 'u2',
      },
    });
  });

  test('every syslog level has a Mezmo level name', () => {
    for (const level of LEVELS) assert.match(LOGDNA_LEVELS[level], /^(FATAL|ERROR|WARN|INFO|DEBUG)$/);
  });

  test('sizes count the joining comma: a body of lines sums to sizes - 1 + envelope', () => {
    const lines = [0, 1, 2].flatMap((i) => encodeLogdnaLine(sampleRecord(i), 'a', 'split'));
    const body = `{"lines":[${lines.map((l) => l.data).join(',')}]}`;
    assert.equal(Buffer.byteLength(body), lines.reduce((s, l) => s + l.size, 0) - 1 + LINES_ENVELOPE_BYTES);
  });

  test('a line over 1 MB is split into marked lines within the limit', () => {
    const message = 'ü'.repeat(900_000); // 1.8 MB of UTF-8
    const lines = encodeLogdnaLine(sampleRecord(0, { message }), 'a', 'split');
    assert.equal(lines.length, 2);
    for (const l of lines) assert.ok(l.size - 1 <= LOGDNA_MAX_LINE_BYTES);
    const texts = lines.map((l) => JSON.parse(l.data).line as string);
    assert.match(texts[0]!, / \[journal-fanout part 1\/2\]$/);
    assert.equal(texts.map((t) => t.replace(/ \[journal-fanout part \d\/2\]$/, '')).join(''), message);
  });
});
