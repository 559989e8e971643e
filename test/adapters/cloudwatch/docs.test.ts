// The CloudWatch docs page holds the options table generated from the schema, and the example config parses.
// Regenerate the table with: JF_WRITE_DOCS=1 node --test test/adapters/cloudwatch/docs.test.ts
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { parse } from 'yaml';
import { cloudwatchOptionsSchema } from '../../../adapters/cloudwatch/config.ts';
import { sanitizeGroupName } from '../../../adapters/cloudwatch/names.ts';
import { assertOptionsSection } from '../../helpers/options-section.ts';

const DOC = new URL('../../../docs/destinations/cloudwatch.md', import.meta.url);
const EXAMPLE = new URL('../../../config/cloudwatch.yaml', import.meta.url);
const DURATIONS = new Set(['flush_interval', 'request_timeout']);

function optionsTable(): string {
  const rows = ['| Option | Default | Description |', '| --- | --- | --- |'];
  for (const [key, schema] of Object.entries(cloudwatchOptionsSchema.shape)) {
    const def = schema.def as { type: string; defaultValue?: unknown };
    let shown = key === 'type' ? '(required) `cloudwatch`' : '-';
    if (def.type === 'default') shown = DURATIONS.has(key) ? `\`${String(def.defaultValue)}ms\`` : `\`${JSON.stringify(def.defaultValue)}\``;
    const description = key === 'type' ? 'Selects this destination.' : (schema.description ?? '');
    rows.push(`| \`${key}\` | ${shown} | ${description.replaceAll('|', '\\|')} |`);
  }
  return rows.join('\n');
}

describe('cloudwatch docs', () => {
  test('the options table matches the schema', () => {
    assertOptionsSection(DOC, 'adapters/cloudwatch/config.ts', optionsTable(), 'test/adapters/cloudwatch/docs.test.ts');
  });

  test('the naming examples in the page are what the sanitizer does', () => {
    const doc = readFileSync(DOC, 'utf8');
    for (const name of ['my service', 'my:service']) assert.ok(doc.includes('`' + sanitizeGroupName(name) + '`'), name);
  });

  test('the IAM policy in the page is valid JSON naming every action the adapter calls', () => {
    const doc = readFileSync(DOC, 'utf8');
    const json = /```json\n([\s\S]*?)\n```/.exec(doc)?.[1];
    assert.ok(json, 'a json block');
    const policy = JSON.parse(json) as { Statement: Array<{ Action: string[] | string }> };
    const actions = new Set(policy.Statement.flatMap((s) => (Array.isArray(s.Action) ? s.Action : [s.Action])));
    for (const a of ['logs:PutLogEvents', 'logs:CreateLogStream', 'logs:CreateLogGroup', 'logs:PutRetentionPolicy', 'logs:DescribeLogGroups', 'logs:TagResource']) {
      assert.ok(actions.has(a), a);
    }
  });

  test('the example config uses the top-level keys of DESIGN.md and a valid cloudwatch destination', () => {
    const config = parse(readFileSync(EXAMPLE, 'utf8')) as Record<string, unknown> & { destinations: Array<Record<string, unknown>> };
    for (const key of Object.keys(config)) assert.ok(['journal', 'state', 'records', 'rate_limit', 'destinations', 'metrics'].includes(key), key);
    const cw = config.destinations.filter((d) => d.type === 'cloudwatch');
    assert.ok(cw.length >= 1);
    for (const d of cw) cloudwatchOptionsSchema.parse(d);
  });
});
