// End to end: which journal reader runs (journal.reader), the fallback when libsystemd cannot be loaded, and a dry
// run on a journal source that has no files yet (issue 20): said once on stderr, and read when files appear.
import assert from 'node:assert/strict';
import { rename } from 'node:fs/promises';
import path from 'node:path';
import { describe, test } from 'node:test';
import type { ReaderKind } from '../../src/journal/open-reader.ts';
import { Daemon, workDir, writeConfig } from '../helpers/daemon.ts';
import { makeJournalDirectory } from '../helpers/journal-files.ts';

const MISSING = '/nonexistent/libsystemd.so.0';
const T0 = Date.now() * 1000 - 60_000_000;

async function journalDir(count: number, name = 'r'): Promise<string> {
  return makeJournalDirectory(Array.from({ length: count }, (_, i) => ({ message: `${name}-${i}`, bootId: 'cccccccccccccccccccccccccccccccc', realtimeUs: T0 + i * 1000, monotonicUs: 1_000_000 + i })));
}

async function dryRun(journal: Record<string, unknown>, env: NodeJS.ProcessEnv = {}): Promise<Daemon> {
  const file = await writeConfig(await workDir(), { journal: { start: 'head', ...journal }, records: { multiline: { enabled: false } } });
  return new Daemon(['run', '--dry-run', '--config', file], env);
}

describe('journal.reader', { timeout: 60_000 }, () => {
  test('auto picks the native reader where libsystemd loads', async () => {
    const daemon = await dryRun({ directory: await journalDir(3) });
    try {
      await daemon.waitFor(() => daemon.records().length >= 3, '3 records');
      assert.equal(daemon.logs().find((l) => l.msg === 'reading the journal')?.reader, 'native');
      assert.ok(!daemon.stderr.includes('native journal reader unavailable'));
    } finally {
      assert.equal((await daemon.stop()).code, 0);
    }
  });

  test('auto without libsystemd: one info line says why, and journalctl reads', async () => {
    const daemon = await dryRun({ directory: await journalDir(3) }, { JOURNAL_FANOUT_LIBSYSTEMD: MISSING });
    try {
      await daemon.waitFor(() => daemon.records().length >= 3, '3 records');
      assert.deepEqual(daemon.records().map((r) => r.message), ['r-0', 'r-1', 'r-2']);
      const fallback = daemon.logs().filter((l) => l.msg.startsWith('native journal reader unavailable'));
      assert.equal(fallback.length, 1, daemon.stderr);
      assert.equal(fallback[0]!.level, 30, 'an info line');
      assert.match(fallback[0]!.msg, new RegExp(`^native journal reader unavailable \\(${MISSING} cannot be loaded \\(.+\\)\\): reading the journal with journalctl instead$`));
      assert.equal(daemon.logs().find((l) => l.msg === 'reading the journal')?.reader, 'journalctl');
    } finally {
      assert.equal((await daemon.stop()).code, 0);
    }
  });

  test('native without libsystemd: exits 1 with what is missing and the fix', async () => {
    const daemon = await dryRun({ directory: await journalDir(1), reader: 'native' }, { JOURNAL_FANOUT_LIBSYSTEMD: MISSING });
    const { code } = await daemon.exited;
    assert.equal(code, 1);
    assert.match(daemon.stderr, new RegExp(`journal-fanout: invalid configuration: journal.reader: native, but the native reader cannot run here: ${MISSING} cannot be loaded .*Install libsystemd \\(Debian/Ubuntu: libsystemd0; Fedora/RHEL: systemd-libs\\), or set journal.reader to auto or journalctl`));
    assert.equal(daemon.stdout, '');
  });
});

describe('a dry run on a journal source with no files yet', { timeout: 60_000 }, () => {
  for (const reader of ['journalctl', 'native'] as ReaderKind[]) {
    test(`${reader} reader: says once on stderr where it looked, keeps following, and prints the entries once files appear`, async () => {
      const dir = await journalDir(5, 'late');
      const file = path.join(dir, 'remote.journal');
      await rename(file, `${file}.hidden`);
      const daemon = await dryRun({ directory: dir, reader });
      try {
        await daemon.waitFor(() => daemon.stderr.includes('no journal files yet'), 'the no-journal message');
        await new Promise((r) => setTimeout(r, 2500));
        assert.equal(daemon.stdout, '', 'nothing printed yet');
        const said = daemon.logs().filter((l) => l.msg.startsWith('no journal files yet'));
        assert.equal(said.length, 1, 'said once, not once per look');
        assert.equal(said[0]!.level, 40);
        assert.deepEqual(said[0]!.searched, [`${dir} (and its subdirectories)`]);
        await rename(`${file}.hidden`, file);
        await daemon.waitFor(() => daemon.records().length >= 5, 'the entries once the file is there');
        assert.deepEqual(daemon.records().map((r) => r.message), ['late-0', 'late-1', 'late-2', 'late-3', 'late-4']);
        assert.ok(daemon.logs().some((l) => l.msg === 'journal files found: reading them'));
      } finally {
        assert.equal((await daemon.stop()).code, 0);
      }
    });
  }
});
