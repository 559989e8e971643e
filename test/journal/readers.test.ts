// Every guarantee of a journal reader, tested with the same code on both readers (journalctl + export parser,
// and the native one on libsystemd), against real journal files and a real journald namespace.
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { rename } from 'node:fs/promises';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { promisify } from 'node:util';
import { NATIVE_READ_AHEAD_ENTRIES } from '../../src/journal/native-reader.ts';
import { openReader, type ReaderKind } from '../../src/journal/open-reader.ts';
import type { JournalEntryReader, ReaderOptions } from '../../src/journal/reader.ts';
import type { JournalEntry } from '../../src/model/journal-entry.ts';
import { makeJournalDirectory, type OfflineEntry } from '../helpers/journal-files.ts';
import { TestJournal, type TestEntry } from '../helpers/journald.ts';
import { capturedLogger } from '../standins/sample-records.ts';

const run = promisify(execFile);
const READERS: ReaderKind[] = ['journalctl', 'native'];
const BOOT_A = 'aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa';
const BOOT_B = 'bbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb';
const T0 = Date.now() * 1000 - 3_600_000_000;

function boot(bootId: string, name: string, count: number, offsetS: number, fields?: (i: number) => Record<string, string>): OfflineEntry[] {
  return Array.from({ length: count }, (_, i) => ({ message: `${name}-${i}`, bootId, realtimeUs: T0 + (offsetS + i) * 1_000_000, monotonicUs: 1_000_000 + i * 1000, ...(fields ? { fields: fields(i) } : {}) }));
}

async function cursorsOf(dir: string): Promise<string[]> {
  const { stdout } = await run('journalctl', [`--directory=${dir}`, '-o', 'export', '--all']);
  return stdout.split('\n').filter((l) => l.startsWith('__CURSOR=')).map((l) => l.slice('__CURSOR='.length));
}

type Options = Partial<ReaderOptions> & Pick<ReaderOptions, 'from' | 'follow'>;
const options = (o: Options): ReaderOptions => ({ journalctl: 'journalctl', namespace: null, directory: null, matches: [], ...o });

/** Reads to the end (follow false). */
async function readAll(kind: ReaderKind, o: Options, logger = capturedLogger().logger): Promise<{ entries: JournalEntry[]; reader: JournalEntryReader }> {
  const reader = openReader(kind, options(o), logger);
  const entries: JournalEntry[] = [];
  for await (const batch of reader.batches()) entries.push(...batch);
  return { entries, reader };
}

/** Follows until `until` holds (then a little longer, for a wrong extra entry to show), and stops. */
async function follow(kind: ReaderKind, o: Omit<Options, 'follow'>, until: (entries: JournalEntry[]) => boolean, during?: (entries: JournalEntry[]) => Promise<void>): Promise<JournalEntry[]> {
  const reader = openReader(kind, options({ ...o, follow: true }), capturedLogger().logger);
  const entries: JournalEntry[] = [];
  const deadline = setTimeout(() => reader.stop(), 60_000);
  let settled: Promise<void> | undefined;
  const check = () => {
    if (until(entries) && !settled) settled = sleep(300).then(() => reader.stop());
  };
  const writer = during?.(entries);
  check();
  for await (const batch of reader.batches()) {
    entries.push(...batch);
    check();
  }
  clearTimeout(deadline);
  await writer;
  return entries;
}

const messages = (entries: JournalEntry[]) => entries.map((e) => e.fields.MESSAGE);

for (const kind of READERS) {
  describe(`${kind} reader`, { timeout: 120_000 }, () => {
    test('from a cursor: exactly the backlog after it (40 entries, past --follow\'s 10 lines), then new entries', async () => {
      const dir = await makeJournalDirectory(boot(BOOT_A, 'a', 50, 0));
      const cursors = await cursorsOf(dir);
      const entries = await follow(kind, { directory: dir, from: { kind: 'after', cursor: cursors[9]! } }, (e) => e.length >= 40);
      assert.deepEqual(messages(entries), Array.from({ length: 40 }, (_, i) => `a-${10 + i}`));
      assert.deepEqual(entries.map((e) => e.seq), Array.from({ length: 40 }, (_, i) => i + 1));
      assert.equal(entries[0]!.cursor, cursors[10]);
    });

    test('at a cursor: that entry first; from the head without following: every boot, then the end', async () => {
      const dir = await makeJournalDirectory([...boot(BOOT_A, 'a', 3, 0), ...boot(BOOT_B, 'b', 3, 100)]);
      const cursors = await cursorsOf(dir);
      const at = await readAll(kind, { directory: dir, from: { kind: 'at', cursor: cursors[1]! }, follow: false });
      assert.deepEqual(messages(at.entries), ['a-1', 'a-2', 'b-0', 'b-1', 'b-2']);
      const head = await readAll(kind, { directory: dir, from: { kind: 'head' }, follow: false });
      assert.deepEqual(messages(head.entries), ['a-0', 'a-1', 'a-2', 'b-0', 'b-1', 'b-2']);
      assert.deepEqual(head.entries.map((e) => e.bootId), [BOOT_A, BOOT_A, BOOT_A, BOOT_B, BOOT_B, BOOT_B]);
      assert.equal(head.entries[3]!.realtimeUs, T0 + 100_000_000);
      assert.equal(head.entries[3]!.monotonicUs, 1_000_000);
    });

    test('a cursor in an earlier boot, following: the rest of that boot and the whole new boot', async () => {
      const dir = await makeJournalDirectory([...boot(BOOT_A, 'a', 5, 0), ...boot(BOOT_B, 'b', 5, 100)]);
      const cursors = await cursorsOf(dir);
      const entries = await follow(kind, { directory: dir, from: { kind: 'after', cursor: cursors[2]! } }, (e) => e.length >= 7);
      assert.deepEqual(messages(entries), ['a-3', 'a-4', 'b-0', 'b-1', 'b-2', 'b-3', 'b-4']);
    });

    test('a cursor the journal no longer holds: the gap is reported and reading resumes at the oldest entry', async () => {
      const dir = await makeJournalDirectory(boot(BOOT_A, 'a', 5, 100));
      const gone = `s=0123456789abcdef0123456789abcdef;i=99;b=${BOOT_A};m=f4240;t=${(T0 - 50_000_000).toString(16)};x=1`;
      const { logger, lines } = capturedLogger('info');
      const { entries, reader } = await readAll(kind, { directory: dir, from: { kind: 'after', cursor: gone }, follow: false }, logger);
      assert.deepEqual(messages(entries), ['a-0', 'a-1', 'a-2', 'a-3', 'a-4']);
      assert.deepEqual(reader.lost, { cursor: gone, fromUs: T0 - 50_000_000, toUs: T0 + 100_000_000 });
      logger.flush();
      await sleep(20);
      const report = lines.map((l) => JSON.parse(l) as { msg: string; lostFrom: string; lostUntil: string }).find((l) => l.msg.includes('no longer in the journal'));
      assert.ok(report, lines.join('\n'));
      assert.equal(report.lostFrom, new Date((T0 - 50_000_000) / 1000).toISOString());
      assert.equal(report.lostUntil, new Date((T0 + 100_000_000) / 1000).toISOString());
    });

    test('matches: fields of one name OR, of different names AND, and "+" between groups', async () => {
      const dir = await makeJournalDirectory(boot(BOOT_A, 'm', 12, 0, (i) => ({ UNIT: `u${i % 3}`, PRIO: String(i % 2) })));
      const read = async (matches: string[]) => messages((await readAll(kind, { directory: dir, matches, from: { kind: 'head' }, follow: false })).entries);
      assert.deepEqual(await read(['UNIT=u1']), ['m-1', 'm-4', 'm-7', 'm-10']);
      assert.deepEqual(await read(['UNIT=u1', 'UNIT=u2', 'PRIO=0']), ['m-2', 'm-4', 'm-8', 'm-10']);
      assert.deepEqual(await read(['UNIT=u0', 'PRIO=1', '+', 'MESSAGE=m-11']), ['m-3', 'm-9', 'm-11']);
    });
  });
}

describe('both readers on a live journald namespace', { timeout: 180_000 }, () => {
  let journal: TestJournal;
  const ID = 'jf-readers';
  const BIG = 'y'.repeat(5 * 1024 * 1024);
  const BAD = Buffer.from([0x62, 0x61, 0x64, 0x2d, 0xff, 0xfe, 0xc3, 0x28]);
  const BLOB = Buffer.from([0, 1, 2, 0x0a, 0xff, 0, 0x3d]);
  const odd: TestEntry[] = [
    { MESSAGE: 'plain', SYSLOG_IDENTIFIER: ID },
    { MESSAGE: BAD, SYSLOG_IDENTIFIER: ID },
    { MESSAGE: 'with-binary-field', BLOB, SYSLOG_IDENTIFIER: ID },
    { MESSAGE: 'repeated', TAG: ['one', 'two', 'three'], SYSLOG_IDENTIFIER: ID },
    { MESSAGE: 'first line\nsecond line\n\tthird', SYSLOG_IDENTIFIER: ID },
    { MESSAGE: 'unicode é ü 日本 \u{1F600} \uFFFD', EMPTY: '', EQUALS: 'a=b=c', SYSLOG_IDENTIFIER: ID },
    { MESSAGE: BIG, SYSLOG_IDENTIFIER: ID },
    { MESSAGE: 'many fields', ...Object.fromEntries(Array.from({ length: 100 }, (_, i) => [`F${i}`, `v${i}`])), SYSLOG_IDENTIFIER: ID },
  ];

  before(async () => {
    journal = await TestJournal.start();
    await journal.send(odd);
    await journal.waitForCount(odd.length, `SYSLOG_IDENTIFIER=${ID}`);
  });
  after(async () => {
    await journal.stop();
  });

  test('both readers make identical JournalEntry values of odd entries (binary, invalid UTF-8, repeated, 5 MB, 100 fields)', async () => {
    const o = { namespace: journal.namespace, matches: [`SYSLOG_IDENTIFIER=${ID}`], from: { kind: 'head' } as const, follow: false };
    const viaJournalctl = (await readAll('journalctl', o)).entries;
    const viaNative = (await readAll('native', o)).entries;
    assert.equal(viaNative.length, odd.length);
    assert.deepStrictEqual(viaNative, viaJournalctl);
  });

  test('native, its mapped journal pages dropped after every chunk (mapped-pages.ts): the same entries', async () => {
    const o = { namespace: journal.namespace, matches: [`SYSLOG_IDENTIFIER=${ID}`], from: { kind: 'head' } as const, follow: false };
    const viaJournalctl = (await readAll('journalctl', o)).entries;
    const viaNative = (await readAll('native', { ...o, releaseMappedBytes: 1 })).entries;
    assert.equal(viaNative.length, odd.length);
    assert.deepStrictEqual(viaNative, viaJournalctl);
  });

  test('native with `fields` (the normalizer\'s): entries hold those fields alone, values as the journalctl reader gives them', async () => {
    const o = { namespace: journal.namespace, matches: [`SYSLOG_IDENTIFIER=${ID}`], from: { kind: 'head' } as const, follow: false };
    const fields = new Set(['MESSAGE', 'TAG', 'SYSLOG_IDENTIFIER', '_BOOT_ID', '__CURSOR']);
    const viaJournalctl = (await readAll('journalctl', o)).entries;
    const viaNative = (await readAll('native', { ...o, fields })).entries;
    // _BOOT_ID and __ fields are never fields of an entry, listed or not.
    const cut = viaJournalctl.map((e) => ({ ...e, fields: Object.assign(Object.create(null), Object.fromEntries(Object.entries(e.fields).filter(([k]) => fields.has(k) && !k.startsWith('_')))) }));
    assert.equal(viaNative.length, odd.length);
    assert.deepStrictEqual(viaNative, cut);
    assert.deepEqual(viaNative[3]!.fields.TAG, ['one', 'two', 'three'], 'a repeated field kept whole');
    assert.equal(Object.keys(viaNative[7]!.fields).length, 2, 'the 100 other fields left out');
  });

  for (const kind of READERS) {
    test(`${kind}: odd fields come out as their bytes say`, async () => {
      const { entries } = await readAll(kind, { namespace: journal.namespace, matches: [`SYSLOG_IDENTIFIER=${ID}`], from: { kind: 'head' }, follow: false });
      const byMessage = (m: string) => entries.find((e) => e.fields.MESSAGE === m)!;
      assert.deepEqual(entries[1]!.fields.MESSAGE, new Uint8Array(BAD), 'invalid UTF-8 stays bytes');
      assert.deepEqual(byMessage('with-binary-field').fields.BLOB, new Uint8Array(BLOB), 'a binary field with NUL, newline and 0xff stays bytes');
      assert.deepEqual(byMessage('repeated').fields.TAG, ['one', 'two', 'three']);
      assert.ok(entries.some((e) => e.fields.MESSAGE === 'first line\nsecond line\n\tthird'));
      const uni = byMessage('unicode é ü 日本 \u{1F600} \uFFFD');
      assert.equal(uni.fields.EMPTY, '');
      assert.equal(uni.fields.EQUALS, 'a=b=c');
      assert.equal((entries[6]!.fields.MESSAGE as string).length, BIG.length, 'a 5 MB field whole (data threshold 0)');
      assert.equal(Object.keys(byMessage('many fields').fields).filter((k) => /^F\d+$/.test(k)).length, 100);
      for (const e of entries) {
        assert.equal(e.bootId.length, 32);
        assert.ok(e.cursor.startsWith('s=') && e.realtimeUs > 0 && e.monotonicUs > 0);
        assert.equal(e.fields._BOOT_ID, undefined);
      }
    });
  }

  // After the tests above: rotating and vacuuming removes the files that hold their entries.
  for (const kind of READERS) {
    test(`${kind}: following a namespace: from the tail only new entries; across rotation and vacuuming, each entry once`, async () => {
      const tag = `${ID}-${kind}`;
      const numbered = (from: number, to: number): TestEntry[] => Array.from({ length: to - from }, (_, i) => ({ MESSAGE: `n-${from + i}`, SYSLOG_IDENTIFIER: tag }));
      await journal.send(numbered(0, 5));
      await journal.waitForCount(5, `SYSLOG_IDENTIFIER=${tag}`);
      const isProbe = (e: JournalEntry) => String(e.fields.MESSAGE).startsWith('probe-');
      // The native reader drops its mapped pages after every chunk here: across rotation and vacuuming too.
      const entries = await follow(kind, { namespace: journal.namespace, matches: [`SYSLOG_IDENTIFIER=${tag}`], from: { kind: 'tail' }, releaseMappedBytes: 1 }, (e) => e.filter((x) => !isProbe(x)).length >= 30, async (seen) => {
        // Written until the reader shows one: from then on, it is past the tail it started at.
        for (let k = 0; !seen.some(isProbe); k++) {
          await journal.send([{ MESSAGE: `probe-${k}`, SYSLOG_IDENTIFIER: tag }]);
          await sleep(200);
        }
        await journal.send(numbered(5, 15));
        await journal.waitForCount(15, `SYSLOG_IDENTIFIER=${tag}`);
        await run('journalctl', ['--namespace', journal.namespace, '--rotate']);
        await journal.send(numbered(15, 25));
        await journal.waitForCount(25, `SYSLOG_IDENTIFIER=${tag}`);
        await run('journalctl', ['--namespace', journal.namespace, '--rotate']);
        // Vacuuming removes the archived files while the reader may still have them open.
        await run('journalctl', ['--namespace', journal.namespace, '--vacuum-files=1']);
        await journal.send(numbered(25, 35));
      });
      const probes = entries.filter(isProbe);
      assert.ok(entries.slice(0, probes.length).every(isProbe), 'nothing written before the start, and probes first');
      assert.deepEqual(messages(entries.filter((e) => !isProbe(e))), Array.from({ length: 30 }, (_, i) => `n-${5 + i}`));
    });
  }
});

describe('both readers over many chunks', { timeout: 120_000 }, () => {
  for (const readAhead of [300, undefined]) {
    test(`the native reader, handing on entries in small runs and reusing its chunk buffers, makes the journalctl reader's values (read-ahead ${readAhead ?? 'default'})`, async () => {
      // About 2.5 MB of entries (twenty of the worker's 128 KiB chunks), sizes and UTF-8 varied so that chunk
      // and string boundaries fall everywhere; a read-ahead of 300 entries makes the worker read most chunks
      // into buffers the main thread gave back.
      const dir = await makeJournalDirectory(
        boot(BOOT_A, 'm', 3000, 0, (i) => ({ TEXT: `${i % 7 === 0 ? 'é日' : 'x'}${'abcdefghij'.repeat(i % 90)}`, N: String(i), CONTAINER_ID: `c${i % 13}` })),
      );
      const o = { directory: dir, from: { kind: 'head' } as const, follow: false, highWaterEntries: 300 };
      const viaJournalctl = (await readAll('journalctl', o)).entries;
      // Without highWaterEntries the native reader reads NATIVE_READ_AHEAD_ENTRIES (2,048) ahead: fewer than the 3,000 here.
      const reader = openReader('native', options(readAhead === undefined ? { directory: dir, from: o.from, follow: false } : o), capturedLogger().logger);
      const viaNative: JournalEntry[] = [];
      let largest = 0;
      for await (const batch of reader.batches()) {
        largest = Math.max(largest, batch.length);
        viaNative.push(...batch);
      }
      assert.equal(viaNative.length, 3000);
      assert.ok(largest <= 1024 + (readAhead ?? NATIVE_READ_AHEAD_ENTRIES), `a hand-on of ${largest} entries`);
      assert.deepStrictEqual(viaNative, viaJournalctl);
    });
  }
});

describe('both readers: stop() ends a following reader promptly', { timeout: 60_000 }, () => {
  for (const kind of READERS) {
    test(`${kind}`, async () => {
      const dir = await makeJournalDirectory(boot(BOOT_A, 's', 3, 0));
      const reader = openReader(kind, options({ directory: dir, from: { kind: 'head' }, follow: true }), capturedLogger().logger);
      let read = 0;
      let stoppedAt = 0;
      for await (const batch of reader.batches()) {
        read += batch.length;
        if (read === 3) {
          await sleep(300);
          stoppedAt = Date.now();
          reader.stop();
        }
      }
      assert.equal(read, 3);
      assert.ok(Date.now() - stoppedAt < 1000, `stopped in ${Date.now() - stoppedAt} ms`);
    });
  }
});

describe('both readers: a source with no journal files yet', { timeout: 60_000 }, () => {
  for (const kind of READERS) {
    test(`${kind}: says so once, then reads the files when they appear`, async () => {
      const dir = await makeJournalDirectory(boot(BOOT_A, 'late', 4, 0));
      const hidden = path.join(dir, 'remote.journal.hidden');
      await rename(path.join(dir, 'remote.journal'), hidden);
      const { logger, lines } = capturedLogger('info');
      const reader = openReader(kind, options({ directory: dir, from: { kind: 'head' }, follow: true }), logger);
      const entries: JournalEntry[] = [];
      const appear = sleep(1500).then(() => rename(hidden, path.join(dir, 'remote.journal')));
      for await (const batch of reader.batches()) {
        entries.push(...batch);
        if (entries.length >= 4) reader.stop();
      }
      await appear;
      assert.deepEqual(messages(entries), ['late-0', 'late-1', 'late-2', 'late-3']);
      logger.flush();
      await sleep(20);
      const waiting = lines.map((l) => JSON.parse(l) as { msg: string }).filter((l) => l.msg.startsWith('no journal files yet'));
      assert.equal(waiting.length, 1);
      assert.match(waiting[0]!.msg, new RegExp(`^no journal files yet in ${dir} \\(and its subdirectories\\): journal.directory is ${dir}`));
    });
  }

  for (const kind of READERS) {
    test(`${kind}: a namespace that does not exist is named in the message, and the reader waits for it`, async () => {
      const { logger, lines } = capturedLogger('info');
      const reader = openReader(kind, options({ namespace: 'jfnosuchns', from: { kind: 'head' }, follow: true }), logger);
      const stop = sleep(1500).then(() => reader.stop());
      for await (const batch of reader.batches()) assert.fail(`read ${batch.length} entries from a namespace that does not exist`);
      await stop;
      logger.flush();
      await sleep(20);
      const waiting = lines.map((l) => JSON.parse(l) as { msg: string }).filter((l) => l.msg.startsWith('no journal files yet'));
      assert.equal(waiting.length, 1);
      assert.match(waiting[0]!.msg, /\/var\/log\/journal\/[0-9a-f]{32}\.jfnosuchns.*is the namespace's journald running \(systemd-journald@jfnosuchns\.service/);
    });
  }
});
