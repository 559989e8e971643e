// End to end: a real journald namespace -> `journal-fanout run` -> stdout, across stops, crashes and journalctl deaths,
// with each journal reader (journal.reader: journalctl and native).
import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import type { ReaderKind } from '../../src/journal/open-reader.ts';
import { Daemon, killQuietly, workDir, writeConfig } from '../helpers/daemon.ts';
import { TestJournal, type TestEntry } from '../helpers/journald.ts';

const ID = 'jf-e2e';
const entry = (message: string | Uint8Array, extra: TestEntry = {}): TestEntry => ({ MESSAGE: message, SYSLOG_IDENTIFIER: ID, PRIORITY: 6, ...extra });
const numbered = (from: number, to: number): TestEntry[] => Array.from({ length: to - from }, (_, i) => entry(`e2e-${from + i}`));

for (const reader of ['journalctl', 'native'] as ReaderKind[]) describe(`journal -> stdout, resumable (${reader} reader)`, { timeout: 180_000 }, () => {
  let journal: TestJournal;
  let configFile: string;
  let stateDir: string;
  const seen: string[] = [];

  before(async () => {
    journal = await TestJournal.start();
    const dir = await workDir();
    stateDir = path.join(dir, 'state');
    configFile = await writeConfig(dir, {
      journal: { namespace: journal.namespace, start: 'head', matches: [`SYSLOG_IDENTIFIER=${ID}`], reader },
      state: { directory: stateDir },
      records: { multiline: { enabled: false } },
      pipeline: { checkpoint_interval: '50ms' },
      destinations: [{ type: 'stdout' }],
      metrics: { listen: null },
    });
  });

  const daemons: Daemon[] = [];
  after(async () => {
    // A failed assertion leaves its daemon running: stopped here, whatever happened.
    for (const d of daemons) await d.stop('SIGKILL');
    await journal.stop();
  });

  const start = () => {
    const daemon = new Daemon(['run', '--config', configFile], {});
    daemons.push(daemon);
    return daemon;
  };
  const messages = (d: Daemon) => d.records().map((r) => r.message);
  const checkpoint = async () => JSON.parse(await readFile(path.join(stateDir, 'stdout.checkpoint.json'), 'utf8')) as { cursor: string };

  test('every entry, binary and invalid UTF-8 and 300 KB ones included, comes out once in journal order', async () => {
    const big = 'x'.repeat(300 * 1024);
    const special: TestEntry[] = [
      entry(Buffer.from([0x62, 0x61, 0x64, 0x2d, 0xff, 0xfe, 0x2d, 0x75, 0x74, 0x66, 0x38])),
      entry(big),
      entry('with-binary-field', { BLOB: Buffer.from([0, 1, 2, 0x0a, 0xff, 0]) }),
      entry('first line\nsecond line\n\tthird'),
    ];
    await journal.send([...numbered(0, 500), ...special, ...numbered(500, 1000)]);
    await journal.waitForCount(1004, `SYSLOG_IDENTIFIER=${ID}`);
    const daemon = start();
    await daemon.waitFor(() => daemon.records().length >= 1004, '1004 records');
    assert.equal(daemon.logs().find((l) => l.msg === 'reading the journal')?.reader, reader, 'the configured reader runs');
    const out = messages(daemon);
    assert.equal(out.length, 1004);
    assert.deepEqual(out.slice(0, 500), Array.from({ length: 500 }, (_, i) => `e2e-${i}`));
    assert.equal(out[500], 'bad-\uFFFD\uFFFD-utf8');
    assert.equal(out[501], big);
    assert.equal(out[502], 'with-binary-field');
    assert.equal(out[503], 'first line\nsecond line\n\tthird');
    assert.deepEqual(out.slice(504), Array.from({ length: 500 }, (_, i) => `e2e-${500 + i}`));
    const { code } = await daemon.stop('SIGTERM');
    assert.equal(code, 0, daemon.stderr);
    const last = (await journal.readAll(`SYSLOG_IDENTIFIER=${ID}`)).at(-1)!;
    assert.equal((await checkpoint()).cursor, last.cursor, 'checkpoint = the last entry acknowledged');
    seen.push(...out.filter((m) => m.startsWith('e2e-')));
  });

  test('after SIGTERM, a restart continues exactly after the last entry: no loss, no repeat', async () => {
    await journal.send(numbered(1000, 1500));
    await journal.waitForCount(1504, `SYSLOG_IDENTIFIER=${ID}`);
    const daemon = start();
    await daemon.waitFor(() => daemon.records().length >= 500, '500 new records');
    await sleep(300);
    const out = messages(daemon);
    assert.deepEqual(out, Array.from({ length: 500 }, (_, i) => `e2e-${1000 + i}`));
    assert.equal((await daemon.stop('SIGTERM')).code, 0);
    seen.push(...out);
  });

  test(`kill -9 of the daemon${reader === 'journalctl' ? ' and its journalctl' : ''} mid-stream: the restart loses nothing`, async () => {
    const daemon = start();
    await daemon.waitFor(() => daemon.stderr.includes('reading the journal'), 'reader start');
    const writing = journal.send(numbered(1500, 4500));
    await daemon.waitFor(() => daemon.records().length >= 500, 'some records');
    const children = daemon.journalctlPids();
    if (reader === 'journalctl') assert.ok(children.length >= 1, 'journalctl runs under the daemon');
    else assert.deepEqual(children, [], 'the native reader runs no child process');
    daemon.child.kill('SIGKILL');
    for (const pid of children) killQuietly(pid);
    await daemon.exited;
    const before = messages(daemon);
    await writing;
    await journal.waitForCount(4504, `SYSLOG_IDENTIFIER=${ID}`);
    const again = start();
    await again.waitFor(() => new Set([...before, ...messages(again)]).size >= 3000, 'all 3000 records across both runs');
    const union = new Set([...before, ...messages(again)]);
    for (let i = 1500; i < 4500; i++) assert.ok(union.has(`e2e-${i}`), `e2e-${i} arrived`);
    const duplicates = before.length + messages(again).length - union.size;
    // At least once: only what was printed after the last checkpoint commit may come again.
    assert.ok(duplicates <= before.length, `duplicates ${duplicates}`);
    const afterRestart = messages(again);
    assert.deepEqual(afterRestart, [...afterRestart].sort((a, b) => Number(a.slice(4)) - Number(b.slice(4))), 'restart output in journal order');
    assert.equal((await again.stop('SIGTERM')).code, 0);
  });

  // Only the journalctl reader has a child process to lose.
  if (reader === 'journalctl') test('journalctl killed under the daemon is restarted after the last entry: nothing lost, nothing repeated', async () => {
    const daemon = start();
    await daemon.waitFor(() => daemon.stderr.includes('reading the journal'), 'reader start');
    const writing = journal.send(numbered(4500, 8500));
    for (let kills = 0; kills < 3; kills++) {
      await daemon.waitFor(() => daemon.records().length >= 500 * (kills + 1), `records before kill ${kills + 1}`);
      for (const pid of daemon.journalctlPids()) killQuietly(pid);
      await sleep(100);
    }
    await writing;
    await daemon.waitFor(() => daemon.records().length >= 4000, 'all 4000 records');
    await sleep(300);
    assert.deepEqual(messages(daemon), Array.from({ length: 4000 }, (_, i) => `e2e-${4500 + i}`));
    assert.ok(daemon.logs().some((l) => l.msg.startsWith('journalctl stopped; restarting it')), 'the restart is logged with its reason');
    assert.equal((await daemon.stop('SIGTERM')).code, 0);
  });
});
