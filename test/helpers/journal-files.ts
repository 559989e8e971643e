// Journal files made offline with systemd-journal-remote, for boots and histories a live journald cannot fake.
import { execFile } from 'node:child_process';
import { writeFile } from 'node:fs/promises';
import path from 'node:path';
import { promisify } from 'node:util';
import { tempDir } from './temp-dir.ts';

const run = promisify(execFile);
export const JOURNAL_REMOTE = '/lib/systemd/systemd-journal-remote';

export interface OfflineEntry {
  message: string;
  bootId: string;
  realtimeUs: number;
  monotonicUs: number;
  fields?: Record<string, string>;
}

/** Writes the entries (export format) into a fresh directory as one journal file; returns the directory. */
export async function makeJournalDirectory(entries: OfflineEntry[]): Promise<string> {
  const dir = tempDir('jf-journal-');
  const machineId = 'a1b2c3d4e5f60718293a4b5c6d7e8f90';
  const text = entries
    .map((e) => {
      const extra = Object.entries(e.fields ?? {}).map(([k, v]) => `${k}=${v}\n`).join('');
      return `__REALTIME_TIMESTAMP=${e.realtimeUs}\n__MONOTONIC_TIMESTAMP=${e.monotonicUs}\n_BOOT_ID=${e.bootId}\n_MACHINE_ID=${machineId}\n_HOSTNAME=testhost\nSYSLOG_IDENTIFIER=jf-offline\nMESSAGE=${e.message}\n${extra}\n`;
    })
    .join('');
  const input = path.join(dir, 'input.export');
  await writeFile(input, text);
  await run(JOURNAL_REMOTE, ['-o', path.join(dir, 'remote.journal'), input]);
  return dir;
}
