// The bench's journal: N realistic Docker/ECS entries written as journal files by systemd-journal-remote.
import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import type { JournalEntry } from '../src/model/journal-entry.ts';
import { seededRandom } from '../test/journal/export-bytes.ts';

export const JOURNAL_REMOTE = '/lib/systemd/systemd-journal-remote';
export const CONTAINERS = 200;
export const SERVICES = 20;
/** One entry every 100 us of journal time: 1,000,000 entries span 100 s, recent enough for CloudWatch to accept. */
const ENTRY_SPACING_US = 100;
/** Bytes handed to journal-remote's stdin per write (backpressure is respected between writes). */
const WRITE_CHUNK_CHARS = 1 << 20;
/** journal-remote processes writing at once (one file each). */
const WRITERS = 2;

export interface Container {
  id: string;
  idFull: string;
  name: string;
  image: string;
  service: string;
  pid: number;
}

function hex(rand: () => number, chars: number): string {
  let out = '';
  for (let i = 0; i < chars; i++) out += Math.floor(rand() * 16).toString(16);
  return out;
}

/** 200 containers of 20 ECS services (task family svc-name, revisions 1-9), named as the ECS agent names them. */
export function makeContainers(seed = 7): Container[] {
  const rand = seededRandom(seed);
  const families = ['api', 'web', 'worker', 'billing', 'search', 'auth', 'cart', 'orders', 'payments', 'inventory', 'notify', 'gateway', 'reports', 'users', 'media', 'ledger', 'export', 'import', 'scheduler', 'metrics'];
  const out: Container[] = [];
  for (let c = 0; c < CONTAINERS; c++) {
    const family = `${families[c % SERVICES]}-svc`;
    const revision = 1 + (c % 9);
    const idFull = hex(rand, 64);
    const short = family.split('-')[0]!;
    out.push({
      id: idFull.slice(0, 12),
      idFull,
      // ecs-<family>-<revision>-<container name>-<20 hex>, as the ECS agent names Docker containers.
      name: `ecs-${family}-${revision}-${short}-${hex(rand, 20)}`,
      image: `123456789012.dkr.ecr.us-east-1.amazonaws.com/${family}:1.${revision}.${c % 5}`,
      service: family,
      pid: 2000 + c * 7,
    });
  }
  return out;
}

const PATHS = ['/api/v1/items', '/api/v1/orders/42', '/healthz', '/api/v2/users/me', '/static/app.js', '/api/v1/search?q=shoes'];
const WORDS = ['request', 'handled', 'cache', 'miss', 'upstream', 'retry', 'timeout', 'user', 'session', 'queue', 'job', 'batch', 'flushed', 'connection', 'pool'];

function padWords(rand: () => number, count: number): string {
  let out = '';
  for (let i = 0; i < count; i++) out += (i ? ' ' : '') + WORDS[Math.floor(rand() * WORDS.length)];
  return out;
}

/**
 * One MESSAGE: 40% JSON (pino/zap-like), 30% logfmt, 30% plain text with a leading timestamp and level; 50-400
 * bytes. `timeMs` is written into the message, as applications do, so the record keeps a recent time.
 */
export function makeMessage(i: number, timeMs: number, rand: () => number, tag = ''): { message: string; priority: string } {
  const iso = new Date(timeMs).toISOString();
  const kind = rand();
  const words = padWords(rand, 2 + Math.floor(rand() * 40));
  const roll = rand();
  const level = roll < 0.7 ? 'info' : roll < 0.85 ? 'debug' : roll < 0.95 ? 'warn' : 'error';
  let message: string;
  if (kind < 0.4) {
    message = `{"level":"${level}","time":"${iso}","msg":"${words}","req_id":"${(i * 2654435761 >>> 0).toString(16)}","path":"${PATHS[i % PATHS.length]}","status":${level === 'error' ? 500 : 200},"duration_ms":${(rand() * 900).toFixed(2)}${tag ? `,"bench":"${tag}"` : ''}}`;
  } else if (kind < 0.7) {
    message = `ts=${iso} level=${level} caller=server.go:${i % 900} msg="${words}" method=GET path=${PATHS[i % PATHS.length]} status=200 took=${(rand() * 90).toFixed(1)}ms${tag ? ` bench=${tag}` : ''}`;
  } else {
    message = `${iso} ${level.toUpperCase()} worker-${i % 16} ${words} job=${i}${tag ? ` bench=${tag}` : ''}`;
  }
  return { message, priority: level === 'error' ? '3' : level === 'warn' ? '4' : level === 'debug' ? '7' : '6' };
}

/** Export-format text of entry `i` (journal-remote input: address fields, then the fields journald would store). */
export function exportEntry(i: number, c: Container, startUs: number, rand: () => number, bootId: string, machineId: string, host: string): string {
  const realtimeUs = startUs + i * ENTRY_SPACING_US;
  const { message, priority } = makeMessage(i, Math.floor(realtimeUs / 1000), rand);
  return (
    `__REALTIME_TIMESTAMP=${realtimeUs}\n__MONOTONIC_TIMESTAMP=${5_000_000_000 + i * ENTRY_SPACING_US}\n_BOOT_ID=${bootId}\n` +
    `_MACHINE_ID=${machineId}\n_HOSTNAME=${host}\n_TRANSPORT=journal\n_UID=0\n_GID=0\n_PID=812\n_COMM=dockerd\n` +
    `_EXE=/usr/bin/dockerd\n_SYSTEMD_CGROUP=/system.slice/docker.service\n_SYSTEMD_UNIT=docker.service\n_SYSTEMD_SLICE=system.slice\n` +
    `PRIORITY=${priority}\nCONTAINER_ID=${c.id}\nCONTAINER_ID_FULL=${c.idFull}\nCONTAINER_NAME=${c.name}\nCONTAINER_TAG=${c.id}\n` +
    `IMAGE_NAME=${c.image}\nSYSLOG_IDENTIFIER=${c.id}\nMESSAGE=${message}\n` +
    `_SOURCE_REALTIME_TIMESTAMP=${realtimeUs - 13}\n\n`
  );
}

export interface BenchJournal {
  directory: string;
  entries: number;
  exportBytes: number;
  seconds: number;
}

/**
 * Writes `entries` entries into DIR/bench-{0,1}.journal (journal-remote rotates into more files if it must),
 * ending about now, so that no destination refuses them as too old.
 */
export async function makeBenchJournal(directory: string, entries: number): Promise<BenchJournal> {
  const started = performance.now();
  const containers = makeContainers();
  const rand = seededRandom(42);
  const machineId = readFileSync('/etc/machine-id', 'utf8').trim();
  const bootId = '8bc04d45edf04ad6a9070d5c19dee0b5';
  const host = 'ip-10-0-1-23.ec2.internal';
  const startUs = Date.now() * 1000 - entries * ENTRY_SPACING_US - 60_000_000;
  // Two journal-remote processes, each writing every other entry into its own file, use both cores of a small
  // machine (journalctl merges the files by time, as it does journald's rotated files).
  const writers = Array.from({ length: WRITERS }, (_, k) => {
    const child = spawn(JOURNAL_REMOTE, ['--compress=no', '-o', path.join(directory, `bench-${k}.journal`), '-'], { stdio: ['pipe', 'ignore', 'pipe'] });
    let stderr = '';
    child.stderr.setEncoding('utf8');
    child.stderr.on('data', (d: string) => (stderr = (stderr + d).slice(-4000)));
    const exited = new Promise<void>((resolve, reject) => {
      child.once('error', reject);
      child.once('close', (code) => (code === 0 ? resolve() : reject(new Error(`${JOURNAL_REMOTE} exited with ${code}: ${stderr}`))));
    });
    return { child, exited, text: '' };
  });
  let exportBytes = 0;
  for (let i = 0; i < entries; i++) {
    // Containers log unevenly, as real ones do: a few are chatty, most are quiet.
    const r = rand();
    const c = containers[Math.floor(r * r * CONTAINERS)]!;
    const w = writers[i % WRITERS]!;
    w.text += exportEntry(i, c, startUs, rand, bootId, machineId, host);
    if (w.text.length >= WRITE_CHUNK_CHARS || i >= entries - WRITERS) {
      const chunk = Buffer.from(w.text, 'utf8');
      exportBytes += chunk.length;
      w.text = '';
      if (!w.child.stdin.write(chunk)) await new Promise((resolve) => w.child.stdin.once('drain', resolve));
    }
  }
  for (const w of writers) w.child.stdin.end();
  await Promise.all(writers.map((w) => w.exited));
  return { directory, entries, exportBytes, seconds: (performance.now() - started) / 1000 };
}

/** The bench's entries as a reader hands them on: fields of the export text, without address fields and _BOOT_ID. */
export function benchEntries(count: number): JournalEntry[] {
  const containers = makeContainers();
  const rand = seededRandom(42);
  const startUs = Date.now() * 1000 - count * 100 - 60_000_000;
  const out: JournalEntry[] = [];
  for (let i = 0; i < count; i++) {
    const r = rand();
    const c = containers[Math.floor(r * r * CONTAINERS)]!;
    const text = exportEntry(i, c, startUs, rand, '8bc04d45edf04ad6a9070d5c19dee0b5', '3d1219c7c4c5404aaa1f6d2a48adfda4', 'ip-10-0-1-23.ec2.internal');
    const fields: Record<string, string> = Object.create(null);
    let realtimeUs = 0;
    for (const line of text.split('\n')) {
      const eq = line.indexOf('=');
      if (eq <= 0) continue;
      const name = line.slice(0, eq);
      const value = line.slice(eq + 1);
      if (name === '__REALTIME_TIMESTAMP') realtimeUs = Number(value);
      if (name.startsWith('__') || name === '_BOOT_ID') continue;
      fields[name] = value;
    }
    out.push({ seq: i + 1, cursor: `s=bench;i=${i.toString(16)}`, realtimeUs, monotonicUs: i, bootId: '8bc04d45edf04ad6a9070d5c19dee0b5', fields });
  }
  return out;
}
