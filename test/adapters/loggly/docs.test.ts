// docs/destinations/loggly.md lists every option of the schema, and config/loggly.yaml is a valid loggly destination.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { parse } from 'yaml';
import destinationModule from '../../../adapters/loggly/index.ts';

const root = new URL('../../../', import.meta.url);

test('every option of the schema has a row in docs/destinations/loggly.md', () => {
  const doc = readFileSync(new URL('docs/destinations/loggly.md', root), 'utf8');
  const shape = (destinationModule.schema as unknown as { shape: Record<string, unknown> }).shape;
  for (const name of Object.keys(shape)) assert.match(doc, new RegExp(`^\\| \`${name}\` \\|`, 'm'), `option ${name} is not documented`);
});

test('config/loggly.yaml holds a valid loggly destination (with ${LOGGLY_TOKEN} filled in)', () => {
  const text = readFileSync(new URL('config/loggly.yaml', root), 'utf8').replace('${LOGGLY_TOKEN}', 'example-secret');
  const config = parse(text) as { destinations: unknown[] };
  const entry = config.destinations.find((d) => (d as { type?: string }).type === 'loggly');
  const parsed = destinationModule.schema.safeParse(entry);
  assert.ok(parsed.success, JSON.stringify(parsed.error?.issues));
});
