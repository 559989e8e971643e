// The daemon at rest: following the tail of a journal directory with nothing new to send, to the bench's
// CloudWatch stand-in (or all four destinations): /proc/PID/status read 10 s after start, and its CPU over the
// 20 s after that. What every host pays while its containers are quiet, and the floor under a backlog's peak. Usage:
//   node bench/rest-memory.ts JOURNAL_DIR [all] [metrics] [BIN=bin/journal-fanout.js]
// JOURNAL_DIR: any journal files (a bench journal kept with `npm run bench -- --keep`, or /var/log/journal).
// `all`: the four destinations of the bench's row 3; `metrics`: /metrics served (on a free port), as by default.
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { stringify } from 'yaml';
import { readMemory, readStat } from './proc-stats.ts';
import { benchDestinations, startBenchStandins } from './standins.ts';
import { STANDIN_AWS_ENV } from '../test/standins/cloudwatch/credentials.ts';

const REST_MS = 10_000;
const CPU_WINDOW_MS = 20_000;
const [directory, ...words] = process.argv.slice(2);
if (directory === undefined) throw new Error('usage: node bench/rest-memory.ts JOURNAL_DIR [all] [metrics] [BIN]');
const all = words.includes('all');
const served = words.includes('metrics');
const bin = words.find((w) => w.endsWith('.js')) ?? 'bin/journal-fanout.js';
const work = mkdtempSync(path.join(tmpdir(), 'jf-rest-'));
const s = await startBenchStandins({ all });
try {
  const config = path.join(work, 'config.yaml');
  writeFileSync(config, stringify({ journal: { directory, start: 'tail' }, state: { directory: path.join(work, 'state') }, destinations: benchDestinations(s, all), metrics: { listen: served ? '127.0.0.1:0' : null } }));
  const child = spawn(process.execPath, [bin, 'run', '--config', config], { env: { ...process.env, ...STANDIN_AWS_ENV }, stdio: ['ignore', 'ignore', 'inherit'] });
  await sleep(REST_MS);
  const mb = (bytes: number): number => Math.round(bytes / 1024 / 1024);
  const { rss, anon, file } = readMemory(child.pid!);
  const memory = { rssMb: mb(rss), anonMb: mb(anon), fileMb: mb(file) };
  const before = readStat(child.pid!)!.cpu;
  await sleep(CPU_WINDOW_MS);
  const cpuPercent = Math.round(((readStat(child.pid!)!.cpu - before) / (CPU_WINDOW_MS / 1000)) * 1000) / 10;
  console.log(JSON.stringify({ destinations: all ? 'all four' : 'cloudwatch', metrics: served, afterMs: REST_MS, ...memory, cpuPercentOfOneCore: cpuPercent, cpuWindowMs: CPU_WINDOW_MS }));
  child.kill('SIGTERM');
  await new Promise((resolve) => child.once('exit', resolve));
} finally {
  await s.close();
  rmSync(work, { recursive: true, force: true });
}
