// docs/logs-cli.md matches the command: every option and template name is documented, and the IAM policy is
// valid JSON granting what the command calls.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { logsCommand } from '../../src/cli/logs.ts';
import { READ_ACTIONS } from '../../src/logs/errors.ts';
import { EVENT_TEMPLATE_NAMES } from '../../src/logs/line-format.ts';
import { TEMPLATE_NAMES } from '../../src/normalize/template.ts';

const DOC = readFileSync(new URL('../../docs/logs-cli.md', import.meta.url), 'utf8');

test('every option of `logs --help` is in the page', () => {
  const options = [...logsCommand.options.matchAll(/--[a-z][a-z-]+/g)].map((m) => m[0]);
  assert.ok(options.length >= 13);
  for (const option of new Set(options)) assert.ok(DOC.includes(`\`${option}`), option);
});

test('every --format name is in the page and in the help', () => {
  for (const name of [...Object.keys(EVENT_TEMPLATE_NAMES), ...Object.keys(TEMPLATE_NAMES)]) {
    assert.ok(DOC.includes(`\`${name}\``), `page: ${name}`);
    const last = name.split('.').at(-1)!;
    assert.ok(logsCommand.options.includes(last), `help: ${name}`);
  }
});

test('the IAM policy is valid JSON and grants every action the command calls', () => {
  const json = /```json\n([\s\S]*?)\n```/.exec(DOC)?.[1];
  assert.ok(json);
  const policy = JSON.parse(json) as { Statement: Array<{ Action: string[] }> };
  assert.deepEqual(policy.Statement.flatMap((s) => s.Action).sort(), [...READ_ACTIONS].sort());
});
