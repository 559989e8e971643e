// The journalctl traps of DESIGN.md, each tested end to end on both readers: backlog after a cursor, lines around a
// reboot, a lost cursor (the native reader has none of journalctl's traps; it must keep every guarantee all the same).
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { describe, test } from 'node:test';
import { promisify } from 'node:util';
import type { ReaderKind } from '../../src/journal/open-reader.ts';
import { Daemon, workDir, writeConfig } from '../helpers/daemon.ts';
import { makeJournalDirectory, type OfflineEntry } from '../helpers/journal-files.ts';

const run = promisify(execFile);
const BOOT_A = 'aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa';
const BOOT_B = 'bbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb';
const T0 = Date.now() * 1000 - 3_600_000_000;

function boot(bootId: string, name: string, count: number, offsetS: number): OfflineEntry[] {
  return Array.from({ length: count }, (_, i) => ({ message: `${name}-${i}`, bootId, realtimeUs: T0 + (offsetS + i) * 1_000_000, monotonicUs: 1_000_000 + i * 1000 }));
}

async function cursorsOf(dir: string): Promise<string[]> {
  const { stdout } = await run('journalctl', [`--directory=${dir}`, '-o', 'export', '--all']);
  return stdout.split('\n').filter((l) => l.startsWith('__CURSOR=')).map((l) => l.slice('__CURSOR='.length));
}

/** Runs the daemon in follow mode on a journal directory, optionally from a checkpoint, until `expected` records. */
async function shipDirectory(reader: ReaderKind, dir: string, expected: number, checkpoint?: string): Promise<{ messages: string[]; daemon: Daemon }> {
  const work = await workDir();
  const stateDir = path.join(work, 'state');
  const file = await writeConfig(work, {
    journal: { directory: dir, start: 'head', reader },
    state: { directory: stateDir },
    records: { multiline: { enabled: false } },
    destinations: [{ type: 'stdout' }],
    metrics: { listen: null },
  });
  if (checkpoint) {
    await mkdir(stateDir, { recursive: true, mode: 0o700 });
    await writeFile(path.join(stateDir, 'stdout.checkpoint.json'), JSON.stringify({ cursor: checkpoint }));
  }
  const daemon = new Daemon(['run', '--config', file]);
  try {
    await daemon.waitFor(() => daemon.records().length >= expected, `${expected} records`);
    // Give a wrongly repeated or extra entry the time to show up before looking.
    await new Promise((r) => setTimeout(r, 500));
    assert.equal(daemon.logs().find((l) => l.msg === 'reading the journal')?.reader, reader);
  } finally {
    assert.equal((await daemon.stop()).code, 0);
  }
  return { messages: daemon.records().map((r) => r.message), daemon };
}

for (const reader of ['journalctl', 'native'] as ReaderKind[]) describe(`journalctl traps (${reader} reader)`, { timeout: 120_000 }, () => {
  test('--follow implies --lines=10: a backlog of 40 after the cursor is still read whole', async () => {
    const dir = await makeJournalDirectory(boot(BOOT_A, 'a', 50, 0));
    const cursors = await cursorsOf(dir);
    const { messages } = await shipDirectory(reader, dir, 40, cursors[9]);
    assert.deepEqual(messages, Array.from({ length: 40 }, (_, i) => `a-${10 + i}`));
  });

  test('a checkpoint in an earlier boot: the rest of that boot and the whole new boot arrive', async () => {
    const dir = await makeJournalDirectory([...boot(BOOT_A, 'a', 5, 0), ...boot(BOOT_B, 'b', 5, 100)]);
    const cursors = await cursorsOf(dir);
    const { messages } = await shipDirectory(reader, dir, 7, cursors[2]);
    assert.deepEqual(messages, ['a-3', 'a-4', 'b-0', 'b-1', 'b-2', 'b-3', 'b-4']);
  });

  test('from the head with no checkpoint: every boot, not only the newest', async () => {
    const dir = await makeJournalDirectory([...boot(BOOT_A, 'a', 5, 0), ...boot(BOOT_B, 'b', 5, 100)]);
    const { messages } = await shipDirectory(reader, dir, 10);
    assert.deepEqual(messages, ['a-0', 'a-1', 'a-2', 'a-3', 'a-4', 'b-0', 'b-1', 'b-2', 'b-3', 'b-4']);
  });

  test('a checkpoint cursor the journal no longer holds: the loss is reported and reading resumes at the oldest entry', async () => {
    const dir = await makeJournalDirectory(boot(BOOT_A, 'a', 5, 100));
    const gone = `s=0123456789abcdef0123456789abcdef;i=99;b=${BOOT_A};m=f4240;t=${(T0 - 50_000_000).toString(16)};x=1`;
    const { messages, daemon } = await shipDirectory(reader, dir, 5, gone);
    assert.deepEqual(messages, ['a-0', 'a-1', 'a-2', 'a-3', 'a-4']);
    const report = daemon.logs().find((l) => l.msg.includes('no longer in the journal'));
    assert.ok(report, daemon.stderr);
    assert.equal(report.lostFrom, new Date((T0 - 50_000_000) / 1000).toISOString());
    assert.equal(report.lostUntil, new Date((T0 + 100_000_000) / 1000).toISOString());
  });
});
