// Where each journal source's files are looked for, and waiting for them (issue 20: a dry run on a host without
// a journal says so instead of printing nothing).
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { chmod, mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { describe, test } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { promisify } from 'node:util';
import { awaitJournalFiles, findJournalFiles, journalPlaces } from '../../src/journal/journal-presence.ts';
import { capturedLogger } from '../standins/sample-records.ts';
import { tempDir } from '../helpers/temp-dir.ts';

const run = promisify(execFile);
const MACHINE_ID = '0123456789abcdef0123456789abcdef';

async function fakeHost(): Promise<{ roots: string[]; machineIdFile: string }> {
  const dir = tempDir('jf-presence-');
  const roots = [path.join(dir, 'run/log/journal'), path.join(dir, 'var/log/journal')];
  const machineIdFile = path.join(dir, 'machine-id');
  await writeFile(machineIdFile, `${MACHINE_ID}\n`);
  return { roots, machineIdFile };
}

const none = { namespace: null, directory: null, matches: [] };
const messages = (lines: string[]) => lines.map((l) => JSON.parse(l) as { msg: string; searched: string[]; level: number });

describe('journal presence', () => {
  test('the system journal is looked for in <root>/<machine-id> and the roots; a namespace in <root>/<machine-id>.<ns>', async () => {
    const host = await fakeHost();
    const system = await journalPlaces(none, host);
    assert.deepEqual(system.directories, [path.join(host.roots[0]!, MACHINE_ID), path.join(host.roots[1]!, MACHINE_ID), ...host.roots]);
    const ns = await journalPlaces({ ...none, namespace: 'web' }, host);
    assert.deepEqual(ns.directories.slice(0, 2), host.roots.map((r) => path.join(r, `${MACHINE_ID}.web`)));
    assert.match(ns.hint, /systemd-journald@web\.service/);
    const dir = await journalPlaces({ ...none, directory: '/srv/journal' }, host);
    assert.deepEqual(dir.withSubdirectories, ['/srv/journal']);
    const noId = await journalPlaces(none, { ...host, machineIdFile: '/nonexistent/machine-id' });
    assert.match(noId.hint, /\/nonexistent\/machine-id is missing or empty/);
  });

  test('journal files are found in the machine directory, in a root, or in a directory source\'s subdirectories', async () => {
    const host = await fakeHost();
    const places = await journalPlaces(none, host);
    assert.deepEqual((await findJournalFiles(places)).files, []);
    await mkdir(path.join(host.roots[1]!, MACHINE_ID), { recursive: true });
    await writeFile(path.join(host.roots[1]!, MACHINE_ID, 'system.journal'), '');
    await writeFile(path.join(host.roots[1]!, MACHINE_ID, 'notes.txt'), '');
    assert.deepEqual((await findJournalFiles(places)).files, [path.join(host.roots[1]!, MACHINE_ID, 'system.journal')]);
    const dir = tempDir('jf-presence-dir-');
    await mkdir(path.join(dir, 'remote'));
    await writeFile(path.join(dir, 'remote', 'remote-host.journal~'), '');
    const found = await findJournalFiles(await journalPlaces({ ...none, directory: dir }));
    assert.deepEqual(found, { files: [path.join(dir, 'remote', 'remote-host.journal~')], readable: 1 });
  });

  test('without follow: no files means nothing to read, said once at info level', async () => {
    const host = await fakeHost();
    const { logger, lines } = capturedLogger('info');
    assert.equal(await awaitJournalFiles(none, false, logger, new AbortController().signal, host), false);
    logger.flush();
    await sleep(20);
    const [line] = messages(lines);
    assert.match(line!.msg, /^no journal files yet in .*; nothing to read$/);
    assert.deepEqual(line!.searched.slice(0, 2), host.roots.map((r) => path.join(r, MACHINE_ID)));
  });

  test('following: says once which directories it searched, waits, and goes on when a file appears', async () => {
    const host = await fakeHost();
    const { logger, lines } = capturedLogger('info');
    const waiting = awaitJournalFiles(none, true, logger, new AbortController().signal, { ...host, pollMs: 20 });
    await sleep(200);
    await mkdir(path.join(host.roots[0]!, MACHINE_ID), { recursive: true });
    await writeFile(path.join(host.roots[0]!, MACHINE_ID, 'system.journal'), '');
    assert.equal(await waiting, true);
    logger.flush();
    await sleep(20);
    const logged = messages(lines);
    assert.equal(logged.length, 2, 'one warning while waiting (not one per look), one line when found');
    assert.equal(logged[0]!.level, 40);
    assert.match(logged[0]!.msg, new RegExp(`no journal files yet in ${host.roots[0]}/${MACHINE_ID}, .*journald is not running on this host, or, in a container, .*waiting for them`));
    assert.match(logged[1]!.msg, /^journal files found: reading them$/);
  });

  test('following: an abort ends the wait with false', async () => {
    const host = await fakeHost();
    const abort = new AbortController();
    const waiting = awaitJournalFiles(none, true, capturedLogger().logger, abort.signal, { ...host, pollMs: 10_000 });
    await sleep(50);
    const at = Date.now();
    abort.abort();
    assert.equal(await waiting, false);
    assert.ok(Date.now() - at < 500);
  });

  test('files this process cannot read are reported as such, not as missing', async () => {
    // Root reads every file: the check runs as an unprivileged user, as the Docker image does.
    const dir = tempDir('jf-presence-unreadable-');
    await chmod(dir, 0o755);
    await writeFile(path.join(dir, 'system.journal'), '');
    await chmod(path.join(dir, 'system.journal'), 0o600);
    const script = `import { awaitJournalFiles } from ${JSON.stringify(new URL('../../src/journal/journal-presence.ts', import.meta.url).href)};
      import { createLogger } from ${JSON.stringify(new URL('../../src/selflog/logger.ts', import.meta.url).href)};
      const logger = createLogger('info', process.stdout);
      process.exitCode = (await awaitJournalFiles({ namespace: null, directory: ${JSON.stringify(dir)}, matches: [] }, false, logger, new AbortController().signal)) ? 1 : 0;`;
    const asUser = process.getuid?.() === 0 ? ['setpriv', '--reuid=65534', '--regid=65534', '--clear-groups', '--'] : [];
    const { stdout } = await run(asUser[0] ?? process.execPath, [...asUser.slice(1), ...(asUser.length ? [process.execPath] : []), '--input-type=module', '-e', script]);
    assert.match(messages(stdout.split('\n').filter(Boolean))[0]!.msg, /^1 journal file\(s\) found but none is readable by this process \(uid \d+\): run it as root or in the systemd-journal group/);
  });
});
