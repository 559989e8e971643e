// The `records` config section: defaults, and strictness.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { z } from 'zod';
import { recordsOptionsSchema } from '../../src/normalize/options.ts';

test('defaults', () => {
  assert.deepStrictEqual(recordsOptionsSchema.parse({}), {
    service: '{service}',
    stream: '{stream}',
    partial: { enabled: true, max_chars: 1_048_576 },
    multiline: { enabled: true, rules: ['indent', 'java', 'python', 'go'], flush_timeout: 500, max_chars: 262_144, max_lines: 1000 },
  });
});

test('durations and overrides', () => {
  const o = recordsOptionsSchema.parse({ multiline: { flush_timeout: '2s', rules: ['go'], pattern: '^\\s' }, partial: { enabled: false } });
  assert.equal(o.multiline.flush_timeout, 2000);
  assert.deepEqual(o.multiline.rules, ['go']);
  assert.equal(o.multiline.pattern, '^\\s');
  assert.equal(o.partial.enabled, false);
  assert.equal(o.partial.max_chars, 1_048_576);
});

test('unknown keys and bad values are refused', () => {
  for (const bad of [{ servce: 'x' }, { multiline: { timeout: '1s' } }, { multiline: { rules: ['ruby'] } }, { multiline: { flush_timeout: '0s' } }, { partial: { max_chars: 10 } }, { service: '' }]) {
    assert.equal(recordsOptionsSchema.safeParse(bad).success, false, JSON.stringify(bad));
  }
});

test('every option is described (the reference docs are generated from the schema)', () => {
  const undescribed: string[] = [];
  const walk = (schema: z.ZodType, path: string) => {
    if (!schema.description) undescribed.push(path);
    let inner: z.ZodType = schema;
    while (inner instanceof z.ZodDefault || inner instanceof z.ZodOptional || inner instanceof z.ZodPrefault) inner = inner.unwrap() as z.ZodType;
    if (inner instanceof z.ZodObject) for (const [k, v] of Object.entries(inner.shape)) walk(v as z.ZodType, path ? `${path}.${k}` : k);
  };
  for (const [k, v] of Object.entries(recordsOptionsSchema.shape)) walk(v as z.ZodType, k);
  assert.deepEqual(undescribed, []);
});

test('docs/records.md documents every option', async () => {
  const { readFile } = await import('node:fs/promises');
  const doc = await readFile(new URL('../../docs/records.md', import.meta.url), 'utf8');
  const paths: string[] = [];
  for (const [k, v] of Object.entries(recordsOptionsSchema.shape)) {
    let inner: z.ZodType = v as z.ZodType;
    while (inner instanceof z.ZodDefault || inner instanceof z.ZodPrefault) inner = inner.unwrap() as z.ZodType;
    if (inner instanceof z.ZodObject) for (const sub of Object.keys(inner.shape)) paths.push(`${k}.${sub}`);
    else paths.push(k);
  }
  assert.ok(paths.length >= 10);
  for (const p of paths) assert.ok(doc.includes(`| \`${p}\` |`), `docs/records.md has no row for ${p}`);
});
