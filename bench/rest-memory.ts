// The daemon's memory at rest: following the tail of a journal directory with nothing new to send, to the
// bench's CloudWatch stand-in (or all four destinations), /proc/PID/status read 10 s after start. What every
// host pays while its containers are quiet, and the floor under a backlog's peak. Usage:
//   node bench/rest-memory.ts JOURNAL_DIR [all] [BIN=bin/journal-fanout.js]
// JOURNAL_DIR: any journal files (a bench journal kept with `npm run bench -- --keep`, or /var/log/journal).
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { stringify } from 'yaml';
import { startBenchStandins } from './standins.ts';
import { STANDIN_AWS_ENV } from '../test/standins/cloudwatch/credentials.ts';

const REST_MS = 10_000;
const [directory, which, bin = 'bin/journal-fanout.js'] = process.argv.slice(2);
if (directory === undefined) throw new Error('usage: node bench/rest-memory.ts JOURNAL_DIR [all] [BIN]');
const all = which === 'all';
const work = mkdtempSync(path.join(tmpdir(), 'jf-rest-'));
const s = await startBenchStandins({ all });
try {
  const destinations: unknown[] = [{ type: 'cloudwatch', name: 'cloudwatch', region: 'us-east-1', endpoint: s.cloudwatch.endpoint, group: '/ecs/{service}', stream: '{stream}', retention_days: 30 }];
  if (all) {
    destinations.push(
      { type: 'loggly', name: 'loggly', token: s.loggly!.token, endpoint: s.loggly!.endpoint },
      { type: 'logdna', name: 'logdna', key: s.logdna!.key, endpoint: s.logdna!.endpoint },
      { type: 'stdout', name: 'stdout', format: 'json' },
    );
  }
  const config = path.join(work, 'config.yaml');
  writeFileSync(config, stringify({ journal: { directory, start: 'tail' }, state: { directory: path.join(work, 'state') }, destinations, metrics: { listen: null } }));
  const child = spawn(process.execPath, [bin, 'run', '--config', config], { env: { ...process.env, ...STANDIN_AWS_ENV }, stdio: ['ignore', 'ignore', 'inherit'] });
  await sleep(REST_MS);
  const kb = (name: string): number => Number(/(\d+) kB/.exec(readFileSync(`/proc/${child.pid}/status`, 'utf8').split('\n').find((l) => l.startsWith(name + ':')) ?? '')?.[1] ?? NaN);
  const mb = (name: string): number => Math.round(kb(name) / 1024);
  console.log(JSON.stringify({ destinations: all ? 'all four' : 'cloudwatch', afterMs: REST_MS, rssMb: mb('VmRSS'), anonMb: mb('RssAnon'), fileMb: mb('RssFile') }));
  child.kill('SIGTERM');
  await new Promise((resolve) => child.once('exit', resolve));
} finally {
  await s.close();
  rmSync(work, { recursive: true, force: true });
}
