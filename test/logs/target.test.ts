// Where `logs` reads: the config's cloudwatch destination (only it validated), --destination, or plain flags.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { writeFile } from 'node:fs/promises';
import path from 'node:path';
import { stringify } from 'yaml';
import { LogsError } from '../../src/logs/errors.ts';
import { resolveTarget } from '../../src/logs/target.ts';
import { ConfigError } from '../../src/model/errors.ts';
import { tempDir } from '../helpers/temp-dir.ts';

const dir = tempDir('jf-logs-target-');
async function config(name: string, tree: unknown): Promise<string> {
  const file = path.join(dir, name);
  await writeFile(file, stringify(tree));
  return file;
}

const usageError = (pattern: RegExp) => (e: unknown) => e instanceof LogsError && e.exitCode === 2 && pattern.test(e.message);

test('one cloudwatch destination: its group template, region and endpoint; other destinations\' secrets need not be set', async () => {
  const file = await config('one.yaml', {
    journal: { namespace: '${JOURNAL_NS}' },
    destinations: [
      { type: 'loggly', token: '${LOGGLY_TOKEN}' },
      { type: 'cloudwatch', region: '${CW_REGION:-eu-west-1}', endpoint: 'http://127.0.0.1:9', group: '/ecs/{service}' },
      { type: 'logdna', key: '${LOGDNA_KEY}' },
    ],
  });
  const t = await resolveTarget({ config: file }, {});
  assert.equal(t.naming.groupOf('api'), '/ecs/api');
  assert.equal(t.region, 'eu-west-1');
  assert.equal(t.endpoint, 'http://127.0.0.1:9');
  const flags = await resolveTarget({ config: file, region: 'us-west-2', endpoint: 'http://127.0.0.1:10', groupPrefix: '/custom/' }, { CW_REGION: 'ap-south-1' });
  assert.deepEqual([flags.region, flags.endpoint, flags.naming.groupOf('api')], ['us-west-2', 'http://127.0.0.1:10', '/custom/api'], 'flags win');
});

test('several cloudwatch destinations: --destination picks one by the name the forwarder gives it', async () => {
  const file = await config('two.yaml', {
    destinations: [
      { type: 'cloudwatch', region: 'us-east-1', group: '/ecs/{service}' },
      { type: 'stdout', name: 'cloudwatch-2' },
      { type: 'cloudwatch', region: 'eu-west-1', group: '/eu/{service}' },
      { type: 'cloudwatch', name: 'archive', region: 'eu-west-1', group: '/archive/{service}' },
    ],
  });
  await assert.rejects(resolveTarget({ config: file }, {}), usageError(/has 3 cloudwatch destinations \(cloudwatch, cloudwatch-3, archive\); pick one with --destination NAME/));
  assert.equal((await resolveTarget({ config: file, destination: 'cloudwatch-3' }, {})).naming.groupOf('api'), '/eu/api');
  assert.equal((await resolveTarget({ config: file, destination: 'archive' }, {})).naming.groupOf('api'), '/archive/api');
  await assert.rejects(resolveTarget({ config: file, destination: 'nope' }, {}), usageError(/no cloudwatch destination named "nope"; its cloudwatch destinations: cloudwatch, cloudwatch-3, archive/));
});

test('no cloudwatch destination, a bad one, a bad flag: errors that name the fix', async () => {
  const none = await config('none.yaml', { destinations: [{ type: 'stdout' }] });
  await assert.rejects(resolveTarget({ config: none }, {}), usageError(/has no cloudwatch destination; read with --group-prefix PREFIX/));
  const bad = await config('bad.yaml', { destinations: [{ type: 'stdout' }, { type: 'cloudwatch', region: 'Virginia' }] });
  await assert.rejects(resolveTarget({ config: bad }, {}), (e: unknown) => e instanceof ConfigError && /destinations\[1\]\.region/.test(e.message));
  const badTemplate = await config('template.yaml', { destinations: [{ type: 'cloudwatch', group: '/ecs/{servce}' }] });
  await assert.rejects(resolveTarget({ config: badTemplate }, {}), (e: unknown) => e instanceof ConfigError && /unknown name "servce"/.test(e.message));
  await assert.rejects(resolveTarget({ config: path.join(dir, 'missing.yaml') }, {}), (e: unknown) => e instanceof ConfigError && /check the path given to --config/.test(e.message));
  await assert.rejects(resolveTarget({ region: 'Virginia' }, {}), usageError(/--region: expected an AWS region such as "us-east-1"/));
  await assert.rejects(resolveTarget({ endpoint: 'logs.example' }, {}), usageError(/--endpoint: expected an http\(s\) URL/));
  await assert.rejects(resolveTarget({ destination: 'x' }, {}), usageError(/give --config too/));
});

test('no config: --group-prefix, else the destination\'s default group template', async () => {
  assert.equal((await resolveTarget({}, {})).naming.groupOf('api'), '/journal-fanout/api');
  assert.equal((await resolveTarget({ groupPrefix: '' }, {})).naming.listPrefix, undefined);
});
