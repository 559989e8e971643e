// config/systemd/journal-fanout-proxy.service: starts before Docker, keeps its socket directory, is hardened,
// allows the system calls the proxy makes through koffi, and passes systemd-analyze verify.
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';

const run = promisify(execFile);
const UNIT = fileURLToPath(new URL('../../config/systemd/journal-fanout-proxy.service', import.meta.url));

test('the proxy unit: before docker.service, /run/journal-fanout, SIGTERM drain, hardened', async () => {
  const unit = await readFile(UNIT, 'utf8');
  const values = (key: string) => [...unit.matchAll(new RegExp(`^${key}=(.*)$`, 'gm'))].map((m) => m[1]);
  assert.deepEqual(values('Before'), ['docker.service'], 'Docker checks the syslog socket exists when it starts a container');
  assert.deepEqual(values('WantedBy'), ['multi-user.target docker.service']);
  assert.deepEqual(values('RuntimeDirectory'), ['journal-fanout']);
  assert.deepEqual(values('Restart'), ['always']);
  assert.deepEqual(values('KillSignal'), ['SIGTERM']);
  assert.ok(Number(values('TimeoutStopSec')[0]!.replace(/s$/, '')) > 10, 'longer than proxy.shutdown_timeout');
  assert.match(values('ExecStart')[0]!, /bin\/journal-fanout\.js proxy --config \/etc\/journal-fanout\/proxy\.yaml$/);
  assert.deepEqual(values('SystemCallFilter'), ['@system-service']);
  for (const key of ['NoNewPrivileges', 'ProtectHome', 'PrivateTmp', 'DynamicUser']) assert.deepEqual(values(key), ['yes'], key);
  // The calls the proxy makes through koffi must be in the allowed set.
  const top = (await run('systemd-analyze', ['syscall-filter', '@system-service'])).stdout;
  const groups = [...top.matchAll(/^\s+(@[a-z-]+)$/gm)].map((m) => m[1]!);
  const stdout = top + (await run('systemd-analyze', ['syscall-filter', ...groups])).stdout;
  for (const call of ['socket', 'bind', 'connect', 'sendmsg', 'sendto', 'recvfrom', 'setsockopt', 'memfd_create', 'fcntl', 'write', 'close']) {
    assert.match(stdout, new RegExp(`^\\s+${call}$`, 'm'), `${call} is allowed by @system-service`);
  }
});

test('systemd-analyze verify finds nothing wrong with the proxy unit', { timeout: 30_000 }, async () => {
  const dir = await mkdtemp(path.join(os.tmpdir(), 'jf-unit-'));
  try {
    const unit = (await readFile(UNIT, 'utf8')).replaceAll('/opt/journal-fanout/node_modules/.bin/node', '/bin/true');
    const file = path.join(dir, 'journal-fanout-proxy.service');
    await writeFile(file, unit);
    const { stdout, stderr } = await run('systemd-analyze', ['verify', file]);
    assert.equal(stdout + stderr, '', 'systemd-analyze verify printed warnings');
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});
