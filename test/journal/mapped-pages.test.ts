// Dropping the journal pages libsystemd maps (mapped-pages.ts): which mappings, when, and with the real
// madvise on a real journal's mappings.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { after, before, describe, test } from 'node:test';
import { loadLibsystemd } from '../../src/journal/libsystemd.ts';
import { journalMappings, MADV_DONTNEED, MappedPages } from '../../src/journal/mapped-pages.ts';
import { SdJournalSession } from '../../src/journal/native-session.ts';
import { TestJournal } from '../helpers/journald.ts';

const MAPS = [
  '55d4c0a00000-55d4c0a21000 r--p 00000000 08:01 131 /usr/bin/node',
  '7f0000000000-7f0000800000 r--s 00000000 08:01 901 /var/log/journal/abc/system.journal',
  '7f0000800000-7f0001000000 r--s 00800000 08:01 902 /var/log/journal/abc/system@0001-0002.journal~',
  '7f0001000000-7f0001800000 r--s 00000000 08:01 903 /var/log/journal/abc.ns/system@x-y-z.journal (deleted)',
  '7f0001800000-7f0002000000 r--p 00000000 08:01 904 /tmp/private-copy.journal',
  '7f0002000000-7f0002001000 rw-s 00000000 00:01 905 /dev/shm/not-a-journal',
  '7f0002001000-7f0002002000 rw-p 00000000 00:00 0 ',
  '7ffd00000000-7ffd00021000 rw-p 00000000 00:00 0                          [stack]',
].join('\n');

describe('journalMappings', () => {
  test('shared mappings of *.journal and *.journal~, deleted ones too; never a private one or another file', () => {
    assert.deepEqual(journalMappings(MAPS), [
      { start: 0x7f0000000000, length: 0x800000 },
      { start: 0x7f0000800000, length: 0x800000 },
      { start: 0x7f0001000000, length: 0x800000 },
    ]);
  });
});

describe('MappedPages', () => {
  test('releases every `everyBytes` read, each journal mapping once, and counts what madvise refuses', () => {
    const calls: Array<[number, number, number]> = [];
    const pages = new MappedPages(1000, (a, l, adv) => (calls.push([a, l, adv]), a === 0x7f0000800000 ? -1 : 0), () => MAPS);
    pages.read(600);
    assert.equal(calls.length, 0);
    pages.read(600);
    assert.deepEqual(calls, [
      [0x7f0000000000, 0x800000, MADV_DONTNEED],
      [0x7f0000800000, 0x800000, MADV_DONTNEED],
      [0x7f0001000000, 0x800000, MADV_DONTNEED],
    ]);
    assert.equal(pages.releases, 1);
    assert.equal(pages.refused, 1);
    pages.read(999);
    assert.equal(pages.releases, 1, 'the count starts again after a release');
    pages.read(1);
    assert.equal(pages.releases, 2);
  });

  test('without /proc/self/maps it turns itself off and reads on', () => {
    let reads = 0;
    const pages = new MappedPages(10, () => assert.fail('no madvise without maps'), () => {
      reads++;
      throw new Error('ENOENT');
    });
    pages.read(100);
    pages.read(100);
    assert.equal(reads, 1);
    assert.equal(pages.releases, 0);
  });
});

describe('MappedPages with libsystemd on a real journal', { timeout: 60_000 }, () => {
  let journal: TestJournal;
  before(async () => {
    journal = await TestJournal.start('jfmp');
    await journal.send(Array.from({ length: 50 }, (_, i) => ({ MESSAGE: `mapped-${i}`, SYSLOG_IDENTIFIER: 'jf-mapped' })));
    await journal.waitForCount(50, 'SYSLOG_IDENTIFIER=jf-mapped');
  });
  after(async () => {
    await journal.stop();
  });

  test("the journal's own mappings are found, madvise takes every one, and reading goes on to the same entries", () => {
    const loaded = loadLibsystemd();
    const session = SdJournalSession.open(loaded, { namespace: journal.namespace, directory: null, matches: ['SYSLOG_IDENTIFIER=jf-mapped'] });
    try {
      session.position({ kind: 'head' }, false);
      const first = session.readChunk(1 << 20, 20);
      assert.equal(first.chunk?.count, 20);
      const pages = new MappedPages(1, loaded.lib.madvise);
      assert.ok(journalMappings(readFileSync('/proc/self/maps', 'utf8')).length > 0, 'libsystemd maps the journal file');
      pages.read(1);
      assert.equal(pages.releases, 1);
      assert.equal(pages.refused, 0);
      const rest = session.readChunk(1 << 20, 1000);
      assert.equal(rest.chunk?.count, 30);
      assert.equal(rest.atEnd, true);
    } finally {
      session.close();
    }
  });
});
