// The real-world corpus: every line of test/fixtures/normalize-corpus.json must become exactly its expected record.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { fromCompact, loadCorpus, runCase, type CompactRecord } from './corpus-harness.ts';

const corpus = loadCorpus();

describe('normalizer corpus', () => {
  test('holds at least 150 real-world lines', () => {
    let lines = 0;
    for (const g of corpus.groups) for (const c of g.cases) lines += c.lines?.length ?? 1;
    assert.ok(lines >= 150, `corpus has ${lines} lines`);
  });

  for (const group of corpus.groups) {
    describe(group.name, () => {
      group.cases.forEach((c, index) => {
        const label = c.note ?? c.message ?? c.lines?.[0] ?? c.messageHex ?? '';
        test(`#${index + 1} ${label.length > 90 ? label.slice(0, 90) + '...' : label}`, () => {
          const expected = (Array.isArray(c.expect) ? c.expect : [c.expect as CompactRecord]).map((e) => fromCompact(e, group.source));
          const actual = runCase(corpus, group, c);
          assert.deepStrictEqual(actual, expected);
        });
      });
    });
  }
});
