// docs/destinations/logdna.md lists every option of the schema, and config/logdna.yaml is a valid logdna destination.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { parse } from 'yaml';
import destinationModule from '../../../adapters/logdna/index.ts';

const root = new URL('../../../', import.meta.url);

test('every option of the schema has a row in docs/destinations/logdna.md', () => {
  const doc = readFileSync(new URL('docs/destinations/logdna.md', root), 'utf8');
  const shape = (destinationModule.schema as unknown as { shape: Record<string, unknown> }).shape;
  for (const name of Object.keys(shape)) assert.match(doc, new RegExp(`^\\| \`${name}\` \\|`, 'm'), `option ${name} is not documented`);
});

test('config/logdna.yaml holds a valid logdna destination (with ${LOGDNA_KEY} filled in)', () => {
  const text = readFileSync(new URL('config/logdna.yaml', root), 'utf8').replace('${LOGDNA_KEY}', 'example-secret');
  const config = parse(text) as { destinations: unknown[] };
  const entry = config.destinations.find((d) => (d as { type?: string }).type === 'logdna');
  const parsed = destinationModule.schema.safeParse(entry);
  assert.ok(parsed.success, JSON.stringify(parsed.error?.issues));
});
