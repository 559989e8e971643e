// Partial-message and multiline joining on entries read back from a real journald namespace, written with
// the fields Docker's journald logging driver sends.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import type { LogRecord } from '../../src/model/log-record.ts';
import { Normalizer } from '../../src/normalize/normalizer.ts';
import { recordsOptionsSchema } from '../../src/normalize/options.ts';
import { TestJournal, type TestEntry } from '../helpers/journald.ts';

/** Docker's journald driver splits a line into 16 KiB parts (moby daemon/logger/journald, logger.bufSize). */
const DOCKER_PART_BYTES = 16 * 1024;

function containerFields(id: string, name: string): TestEntry {
  return {
    CONTAINER_ID: id,
    CONTAINER_ID_FULL: id + 'c'.repeat(52),
    CONTAINER_NAME: name,
    CONTAINER_TAG: id,
    SYSLOG_IDENTIFIER: id,
    IMAGE_NAME: `${name}:1`,
  };
}

/** What the driver writes for one line: parts marked CONTAINER_PARTIAL_MESSAGE=true, the last one unmarked. */
function dockerLine(line: string, container: TestEntry, priority = 6): TestEntry[] {
  const parts: TestEntry[] = [];
  for (let at = 0; at < line.length || at === 0; at += DOCKER_PART_BYTES) {
    const last = at + DOCKER_PART_BYTES >= line.length;
    parts.push({ ...container, PRIORITY: priority, MESSAGE: line.slice(at, at + DOCKER_PART_BYTES), ...(last ? {} : { CONTAINER_PARTIAL_MESSAGE: 'true' }) });
  }
  return parts;
}

describe('joining entries read from a real journald namespace', { timeout: 120_000 }, () => {
  let journal: TestJournal;
  const api = containerFields('a1b2c3d4e5f6', 'ecs-api-7-web-0a1b2c3d4e5f60718293');
  const worker = containerFields('0f9e8d7c6b5a', 'worker');
  const big = JSON.stringify({ level: 'error', msg: 'huge payload', payload: 'p'.repeat(40_000), n: 1 });
  const bigText = 'T'.repeat(20_000);
  let records: LogRecord[] = [];
  let entryCount = 0;

  before(async () => {
    journal = await TestJournal.start();
    const apiParts = dockerLine(big, api);
    const workerParts = dockerLine(bigText, worker, 3);
    // Interleave the two containers' parts, as two busy containers do.
    const entries: TestEntry[] = [
      { ...api, PRIORITY: 6, MESSAGE: 'starting' },
      apiParts[0]!, workerParts[0]!, apiParts[1]!, workerParts[1]!, apiParts[2]!,
      { ...api, PRIORITY: 3, MESSAGE: 'Exception in thread "main" java.lang.IllegalStateException: boom' },
      { ...api, PRIORITY: 3, MESSAGE: '\tat com.example.Main.main(Main.java:9)' },
      { ...worker, PRIORITY: 6, MESSAGE: 'done' },
    ];
    entryCount = entries.length;
    await journal.send(entries);
    // Only what was sent: the namespace's journald logs about itself too (_TRANSPORT=driver).
    await journal.waitForCount(entryCount, '_TRANSPORT=journal');
    const read = await journal.readAll('_TRANSPORT=journal');
    assert.equal(read.length, entryCount);
    const normalizer = new Normalizer(recordsOptionsSchema.parse({}), 'test-host');
    for (const e of read) normalizer.push(e, (r) => records.push(r));
    normalizer.flushAll((r) => records.push(r));
    records = records.sort((a, b) => a.seq - b.seq);
  });

  after(async () => {
    await journal?.stop();
  });

  test('Docker\'s 16 KiB parts come back as one record per line, per container', () => {
    const json = records.find((r) => r.message === 'huge payload');
    assert.ok(json, 'the JSON line was joined and parsed');
    assert.equal(json.level, 'error');
    assert.equal((json.fields.payload as string).length, 40_000);
    assert.equal(json.joinedSeqs?.length, 2, 'three parts: two joined, the last one is the record\'s seq');
    assert.equal(json.source.service, 'api', 'service from the ECS container name');
    assert.equal(json.source.container?.id, 'a1b2c3d4e5f6');

    const text = records.find((r) => r.message.startsWith('TTT'));
    assert.ok(text);
    assert.equal(text.message, bigText);
    assert.equal(text.level, 'error', 'stderr part: PRIORITY 3');
    assert.equal(text.source.service, 'worker');
  });

  test('a stack trace on stderr is joined, separately from the stdout lines', () => {
    const trace = records.find((r) => r.message.startsWith('Exception in thread'));
    assert.ok(trace);
    assert.equal(trace.message, 'Exception in thread "main" java.lang.IllegalStateException: boom\n\tat com.example.Main.main(Main.java:9)');
    assert.equal(trace.joinedSeqs?.length, 1);
  });

  test('every entry read is in exactly one record, and each record carries its last entry\'s cursor', () => {
    const seqs = records.flatMap((r) => [...(r.joinedSeqs ?? []), r.seq]).sort((a, b) => a - b);
    assert.deepEqual(seqs, Array.from({ length: entryCount }, (_, i) => seqs[0]! + i));
    // Ordered by the seq of the last entry each holds.
    assert.deepEqual(records.map((r) => r.message.slice(0, 12)), ['starting', 'TTTTTTTTTTTT', 'huge payload', 'Exception in', 'done']);
    assert.ok(records.every((r) => typeof r.cursor === 'string' && r.cursor.length > 0));
  });
});
