// CheckpointStore: atomic 0600 files, read back, corrupt files named with the fix.
import assert from 'node:assert/strict';
import { readdir, stat, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { test } from 'node:test';
import { CheckpointStore } from '../../src/checkpoint/checkpoint-store.ts';
import { ConfigError } from '../../src/model/errors.ts';
import { tempDir } from '../helpers/temp-dir.ts';

async function store(): Promise<CheckpointStore> {
  const dir = tempDir('jf-state-');
  const s = new CheckpointStore(path.join(dir, 'state'));
  await s.init();
  return s;
}

test('writes and reads a cursor per destination, mode 0600, no temp file left', async () => {
  const s = await store();
  assert.equal(await s.read('cloudwatch'), undefined);
  await s.write('cloudwatch', 's=1;i=2');
  await s.write('loggly', 's=1;i=1');
  assert.equal((await s.read('cloudwatch'))?.cursor, 's=1;i=2');
  assert.equal((await s.read('loggly'))?.cursor, 's=1;i=1');
  assert.equal((await stat(s.fileOf('cloudwatch'))).mode & 0o777, 0o600);
  assert.equal((await stat(s.directory)).mode & 0o777, 0o700);
  assert.deepEqual((await readdir(s.directory)).sort(), ['cloudwatch.checkpoint.json', 'loggly.checkpoint.json']);
});

test('concurrent writes of one destination land in call order', async () => {
  const s = await store();
  await Promise.all(Array.from({ length: 50 }, (_, i) => s.write('d', `cursor-${i}`)));
  assert.equal((await s.read('d'))?.cursor, 'cursor-49');
});

test('a corrupt checkpoint is an error naming the file and the fix', async () => {
  const s = await store();
  await writeFile(s.fileOf('d'), '{"cursor": ');
  await assert.rejects(s.read('d'), (e: unknown) => e instanceof ConfigError && e.message.includes(s.fileOf('d')) && /delete it to start this destination from journal.start/.test(e.message));
});

test('an unwritable state directory is a config error naming state.directory', async () => {
  const dir = tempDir('jf-state-');
  await writeFile(path.join(dir, 'file'), 'x');
  const s = new CheckpointStore(path.join(dir, 'file', 'state'));
  await assert.rejects(s.init(), (e: unknown) => e instanceof ConfigError && /state\.directory: cannot write checkpoints in .*\(ENOTDIR\)/.test(e.message));
});
