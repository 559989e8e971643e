// NORMALIZER_FIELDS: the native reader hands on these fields alone, so the normalizer must read no other.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { describe, test } from 'node:test';
import type { JournalEntry } from '../../src/model/journal-entry.ts';
import type { LogRecord } from '../../src/model/log-record.ts';
import { Normalizer } from '../../src/normalize/normalizer.ts';
import { recordsOptionsSchema } from '../../src/normalize/options.ts';
import { NORMALIZER_FIELDS } from '../../src/normalize/read-fields.ts';
import { caseEntries, loadCorpus } from './corpus-harness.ts';
import { dockerEntry, resetSeq, unitEntry } from './entries.ts';

/** The entry as the native reader hands it on with `fields: NORMALIZER_FIELDS`. */
function cut(entry: JournalEntry): JournalEntry {
  const fields = Object.create(null) as JournalEntry['fields'];
  for (const [k, v] of Object.entries(entry.fields)) if (NORMALIZER_FIELDS.has(k)) fields[k] = v;
  return { ...entry, fields };
}

/** Every record the normalizer makes of `entries` with the default options, everything flushed. */
function normalize(entries: JournalEntry[]): LogRecord[] {
  const normalizer = new Normalizer(recordsOptionsSchema.parse({}), 'fallback-host', () => 0);
  const out: LogRecord[] = [];
  for (const e of entries) normalizer.push(e, (r) => out.push(r));
  normalizer.flushAll((r) => out.push(r));
  return out;
}

/** Fields journald and Docker add that the normalizer does not read. */
const UNREAD = { _MACHINE_ID: 'm'.repeat(32), _TRANSPORT: 'journal', _UID: '0', _GID: '0', _EXE: '/usr/bin/dockerd', _CMDLINE: '/usr/bin/dockerd -H fd://', _SYSTEMD_CGROUP: '/system.slice/docker.service', CONTAINER_TAG: 'tag', _SOURCE_REALTIME_TIMESTAMP: '1' };

describe('NORMALIZER_FIELDS', () => {
  test('every case of the normalizer corpus makes the same records from entries cut down to these fields', () => {
    const corpus = loadCorpus();
    let cases = 0;
    for (const group of corpus.groups) {
      for (const c of group.cases) {
        const entries = caseEntries(corpus, group, c).map((e) => ({ ...e, fields: { ...UNREAD, ...e.fields } }));
        assert.deepStrictEqual(normalize(entries.map(cut)), normalize(entries), `${group.name}: ${c.note ?? c.message ?? c.lines?.[0]}`);
        cases++;
      }
    }
    assert.ok(cases > 100, `the corpus has ${cases} cases`);
  });

  test('Docker partial messages, multiline joining, ECS labels and plain units: the same records from cut entries', () => {
    resetSeq();
    const ecs = { COM_AMAZONAWS_ECS_TASK_DEFINITION_FAMILY: 'web', COM_AMAZONAWS_ECS_TASK_DEFINITION_VERSION: '7', COM_AMAZONAWS_ECS_CLUSTER: 'prod', COM_AMAZONAWS_ECS_TASK_ARN: 'arn:aws:ecs:us-east-1:1:task/prod/abc' };
    const entries = [
      // Parts out of order: Docker's ordinals put them back.
      dockerEntry('and two', { ...UNREAD, ...ecs, CONTAINER_PARTIAL_MESSAGE: 'true', CONTAINER_PARTIAL_ORDINAL: '2' }),
      dockerEntry('part one ', { ...UNREAD, ...ecs, CONTAINER_PARTIAL_ORDINAL: '1' }),
      dockerEntry('Exception in thread "main" java.lang.IllegalStateException: x', { ...UNREAD, ...ecs }),
      dockerEntry('\tat com.example.Main.main(Main.java:3)', { ...UNREAD, ...ecs }),
      dockerEntry('{"level":"warn","msg":"json","k":1}', { ...UNREAD, PRIORITY: '3' }),
      unitEntry('level=error msg="logfmt" a=b', { ...UNREAD }),
      unitEntry('plain text from a process', { ...UNREAD, _COMM: 'cron' }),
    ];
    // No unit and no identifier: the service comes from _COMM.
    delete entries[6]!.fields._SYSTEMD_UNIT;
    delete entries[6]!.fields.SYSLOG_IDENTIFIER;
    const whole = normalize(entries);
    assert.deepStrictEqual(normalize(entries.map(cut)), whole);
    assert.ok(whole.some((r) => r.message === 'part one and two' && r.source.ecs?.family === 'web'), JSON.stringify(whole.map((r) => r.message)));
    assert.equal(whole.at(-1)!.source.service, 'cron');
  });

  test('the normalizer\'s sources name no journal field missing from the set', () => {
    const names = new Set<string>();
    for (const file of ['normalizer.ts', 'source.ts']) {
      // The code without its comments (which may name fields as examples).
      const text = readFileSync(new URL(`../../src/normalize/${file}`, import.meta.url), 'utf8').replace(/\/\*[\s\S]*?\*\//g, '').replace(/\/\/.*$/gm, '');
      for (const re of [/\btext\(entry, '([A-Z_][A-Z0-9_]*)'\)/g, /\bfieldTexts?\(entry, '([A-Z_][A-Z0-9_]*)'\)/g, /\b(?:fields|f)\.([A-Z_][A-Z0-9_]*)\b/g, /= '([A-Z_][A-Z0-9_]*)';/g]) {
        for (const m of text.matchAll(re)) names.add(m[1]!);
      }
    }
    assert.ok(names.size >= 15, `found ${[...names].join(', ')}`);
    assert.deepEqual([...names].filter((n) => !NORMALIZER_FIELDS.has(n)), []);
  });
});
