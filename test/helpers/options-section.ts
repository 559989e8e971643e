// A destination page's options table, generated from its schema between markers: checked against what the schema
// generates now, and rewritten in place with JF_WRITE_DOCS=1, so that the page cannot drift from the code.
import assert from 'node:assert/strict';
import { readFileSync, writeFileSync } from 'node:fs';

const END = '<!-- options:end -->';

/**
 * Asserts that the page `doc` holds `table` between `<!-- options:start (generated from <schemaFile>) -->` and
 * `<!-- options:end -->`; with JF_WRITE_DOCS=1 it writes the table there first. `testFile` is the test to run
 * to regenerate it, named in the failure.
 */
export function assertOptionsSection(doc: URL, schemaFile: string, table: string, testFile: string): void {
  const start = `<!-- options:start (generated from ${schemaFile}) -->`;
  const text = readFileSync(doc, 'utf8');
  const from = text.indexOf(start);
  const to = text.indexOf(END);
  assert.ok(from >= 0 && to > from, 'the page has the options markers');
  const fresh = `${start}\n${table}\n${END}`;
  if (process.env.JF_WRITE_DOCS === '1') writeFileSync(doc, text.slice(0, from) + fresh + text.slice(to + END.length));
  const now = readFileSync(doc, 'utf8');
  assert.equal(now.slice(now.indexOf(start), now.indexOf(END) + END.length), fresh, `regenerate: JF_WRITE_DOCS=1 node --test ${testFile}`);
}
