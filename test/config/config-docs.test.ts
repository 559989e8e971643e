// docs/configuration.md is generated from the zod schemas: it must match them, and every option must be described.
import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { test } from 'node:test';
import { z } from 'zod';
import { destinationModules } from '../../adapters/index.ts';
import { configSchema } from '../../src/config/schema.ts';
import { CONFIG_DOCS_FILE, renderConfigDocs } from '../../scripts/gen-config-docs.ts';

test('docs/configuration.md is what `npm run docs:config` generates from the schemas', async () => {
  const committed = await readFile(CONFIG_DOCS_FILE, 'utf8');
  const generated = renderConfigDocs();
  if (committed !== generated) {
    const a = committed.split('\n');
    const b = generated.split('\n');
    const line = a.findIndex((l, i) => l !== b[i]);
    assert.fail(`docs/configuration.md differs from the schemas at line ${line + 1}:\n  committed: ${a[line]}\n  generated: ${b[line]}\nrun \`npm run docs:config\` and commit the result`);
  }
});

test('every option of every section and destination has a row', () => {
  const docs = renderConfigDocs();
  const walk = (prefix: string, schema: z.ZodType): string[] => {
    let s = schema as z.ZodType & { _zod: { def: { type: string; innerType?: z.ZodType; element?: z.ZodType; shape?: Record<string, z.ZodType> } } };
    while (['default', 'prefault', 'optional', 'nullable'].includes(s._zod.def.type)) s = s._zod.def.innerType as typeof s;
    if (s._zod.def.type === 'array' && (s._zod.def.element as typeof s)._zod.def.type === 'object') return walk(`${prefix}[]`, s._zod.def.element!);
    if (s._zod.def.type !== 'object') return [prefix];
    return Object.entries(s._zod.def.shape!).flatMap(([k, v]) => walk(prefix ? `${prefix}.${k}` : k, v));
  };
  const { destinations: _, ...sections } = configSchema.shape;
  const keys = [...walk('', z.strictObject(sections)), ...destinationModules.flatMap((m) => walk('', m.schema))];
  assert.ok(keys.length > 40, `walked ${keys.length} keys`);
  for (const key of keys) assert.ok(docs.includes(`| \`${key}\` |`), `no row for ${key}`);
});

test('an option added without .describe() fails the generator, naming it; a described one gets a row', () => {
  const withUndescribed = configSchema.extend({ metrics: z.strictObject({ listen: z.string().describe('x'), path: z.string() }).prefault({ listen: '127.0.0.1:1', path: '/' }).describe('m') });
  assert.throws(() => renderConfigDocs({ config: withUndescribed }), /^Error: metrics\.path: option has no \.describe\(\)/);
  const withDescribed = configSchema.extend({ metrics: z.strictObject({ listen: z.string().describe('x'), path: z.string().default('/metrics').describe('Path of the endpoint') }).prefault({ listen: '127.0.0.1:1' }).describe('m') });
  const docs = renderConfigDocs({ config: withDescribed });
  assert.match(docs, /^\| `metrics\.path` \| string \| `"\/metrics"` \| Path of the endpoint \|$/m);
  assert.notEqual(docs, renderConfigDocs(), 'so the committed file would no longer match');
});
