// `npm run bench`: measures journal-fanout against the journalctl ceiling in one run and prints a table and JSON.
// See docs/performance.md. Options (argv or env):
//   --entries N (BENCH_ENTRIES, default 1,000,000)   --quick (BENCH_QUICK=1: 100,000 entries, 15 s steady)
//   --steady-seconds S (BENCH_STEADY_SECONDS, 60)    --steady-rate R (BENCH_STEADY_RATE, 10,000 entries/s)
//   --profile DIR (BENCH_PROFILE: --cpu-prof of every daemon run into DIR)  --json FILE (also write the JSON)
//   --keep (leave the temporary directory)           --skip-steady, or --only-steady (BENCH_ONLY_STEADY=1: row 4 alone)
//   --node-options "..." (BENCH_NODE_OPTIONS: extra node flags for the daemon, e.g. --max-old-space-size=96)
//   --pipeline JSON (BENCH_PIPELINE: the daemon's `pipeline` config section, e.g. '{"buffer_records":20000}')
//   --syslog (BENCH_SYSLOG=1: phase 3 also ships to a syslog destination, TCP to a local syslog-ng)
//   --reader auto|native|journalctl (BENCH_READER: the daemon's journal.reader in rows 2-4; default auto)
//   --ab BIN_A,BIN_B --rounds R --phase cloudwatch|all [--journal DIR]: only A/B rounds of one backlog phase,
//     alternating two checkouts' bin/journal-fanout.js over the same journal (DIR: a bench journal of N entries
//     kept from an earlier run with --keep), one JSON line per run on stdout
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { existsSync, openSync, closeSync, readFileSync, readdirSync } from 'node:fs';
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { stringify } from 'yaml';
// Credentials the CloudWatch stand-in knows: it verifies every request's SigV4 signature, as the service does.
import { STANDIN_AWS_ENV as AWS_ENV } from '../test/standins/cloudwatch/credentials.ts';
import { TestJournal } from '../test/helpers/journald.ts';
import { makeBenchJournal } from './journal-data.ts';
import { cpuOf, TreeSampler } from './proc-stats.ts';
import { benchDestinations, startBenchStandins, type BenchStandins } from './standins.ts';

const here = (p: string) => fileURLToPath(new URL(p, import.meta.url));
const BIN = here('../bin/journal-fanout.js');
const RUSAGE_RUN = here('./rusage_run.py');
const STEADY_WRITER = here('./steady_writer.py');
const READER_ALONE = here('./reader-alone.ts');
const MB = 1024 * 1024;
/** The daemon's name in /proc/PID/comm: Node names its main thread, and so the process, MainThread. */
const DAEMON_COMM = 'MainThread';
/** Longest wait for a daemon run to ship everything before the bench gives up on it: 240 s, or 2,000 entries/s. */
const runTimeoutMs = (entries: number) => Math.max(240_000, entries / 2);

const { values: argv } = parseArgs({
  options: {
    entries: { type: 'string' },
    quick: { type: 'boolean', default: false },
    'steady-seconds': { type: 'string' },
    'steady-rate': { type: 'string' },
    profile: { type: 'string' },
    json: { type: 'string' },
    keep: { type: 'boolean', default: false },
    'skip-steady': { type: 'boolean', default: false },
    'only-steady': { type: 'boolean', default: false },
    pipeline: { type: 'string' },
    'node-options': { type: 'string' },
    syslog: { type: 'boolean', default: false },
    reader: { type: 'string' },
    ab: { type: 'string' },
    rounds: { type: 'string' },
    phase: { type: 'string' },
    journal: { type: 'string' },
  },
});
const env = process.env;
const quick = argv.quick || env.BENCH_QUICK === '1';
const ENTRIES = Number(argv.entries ?? env.BENCH_ENTRIES ?? (quick ? 100_000 : 1_000_000));
const STEADY_SECONDS = Number(argv['steady-seconds'] ?? env.BENCH_STEADY_SECONDS ?? (quick ? 15 : 60));
const STEADY_RATE = Number(argv['steady-rate'] ?? env.BENCH_STEADY_RATE ?? 10_000);
const PROFILE_DIR = argv.profile ?? env.BENCH_PROFILE;
const PIPELINE = JSON.parse(argv.pipeline ?? env.BENCH_PIPELINE ?? '{}') as Record<string, unknown>;
const DAEMON_NODE_FLAGS = (argv['node-options'] ?? env.BENCH_NODE_OPTIONS ?? '').split(/\s+/).filter(Boolean);
const SKIP_STEADY = argv['skip-steady'] || env.BENCH_SKIP_STEADY === '1';
const ONLY_STEADY = argv['only-steady'] || env.BENCH_ONLY_STEADY === '1';
if (SKIP_STEADY && ONLY_STEADY) throw new Error('--skip-steady and --only-steady exclude each other: choose one');
const SYSLOG = argv.syslog || env.BENCH_SYSLOG === '1';
const READER = argv.reader ?? env.BENCH_READER ?? 'auto';
if (!['auto', 'native', 'journalctl'].includes(READER)) throw new Error(`--reader must be auto, native or journalctl, got ${READER}`);
if (!Number.isInteger(ENTRIES) || ENTRIES < 1000) throw new Error(`--entries must be an integer >= 1000, got ${ENTRIES}`);

const log = (line: string) => process.stderr.write(`[bench ${((performance.now() - benchStart) / 1000).toFixed(1).padStart(6)}s] ${line}\n`);
const benchStart = performance.now();

interface Rusage {
  code: number;
  user: number;
  system: number;
  maxRssKb: number;
  wall: number;
}

/** Things to undo whatever happens: processes the bench started, stand-ins, the namespace, the temp directory. */
const live = { children: new Set<ChildProcess>(), standins: new Set<BenchStandins>(), journal: undefined as TestJournal | undefined, tmp: '' };

async function cleanup(): Promise<void> {
  for (const child of live.children) {
    if (child.exitCode !== null || child.signalCode !== null) continue;
    // The whole process group: SIGKILL of rusage_run.py alone would leave the daemon it runs behind.
    try {
      process.kill(-child.pid!, 'SIGKILL');
    } catch {
      child.kill('SIGKILL');
    }
  }
  for (const s of live.standins) await s.close().catch(() => {});
  live.standins.clear();
  if (live.journal) await live.journal.stop().catch(() => {});
  live.journal = undefined;
  if (live.tmp && !argv.keep) await rm(live.tmp, { recursive: true, force: true });
}

/** Runs argv under rusage_run.py; resolves with its rusage (CPU of it and of the children it waited for). */
function runMeasured(args: string[], options: { stdout?: number | 'ignore' | 'pipe'; env?: NodeJS.ProcessEnv; rusageFile: string }) {
  const child = spawn('python3', [RUSAGE_RUN, options.rusageFile, ...args], {
    // A process group of its own, so that cleanup() can end the daemon and its journalctl with it.
    detached: true,
    stdio: ['ignore', options.stdout ?? 'ignore', 'pipe'],
    env: { ...process.env, ...options.env },
  });
  live.children.add(child);
  let stdout = '';
  let stderr = '';
  // Counted line by line as they come: the text kept is only the last 200 KB.
  let partial = '';
  let detachments = 0;
  child.stdout?.setEncoding('utf8').on('data', (d: string) => (stdout += d));
  child.stderr!.setEncoding('utf8').on('data', (d: string) => {
    stderr = (stderr + d).slice(-200_000);
    const lines = (partial + d).split('\n');
    partial = lines.pop()!;
    for (const l of lines) if (l.includes('destination fell behind its buffer')) detachments++;
  });
  const done = new Promise<Rusage>((resolve, reject) => {
    child.once('error', reject);
    child.once('close', () => {
      live.children.delete(child);
      readFile(options.rusageFile, 'utf8').then(
        (t) => resolve(JSON.parse(t) as Rusage),
        (error: Error) => reject(new Error(`${args.join(' ')}: no rusage (${error.message}); stderr:\n${stderr.slice(-3000)}`)),
      );
    });
  });
  return { child, done, stdout: () => stdout, stderr: () => stderr, detachments: () => detachments };
}

function quantile(sorted: number[], q: number): number {
  if (sorted.length === 0) return NaN;
  return sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))]!;
}

// ---- phases ---------------------------------------------------------------------------------------------

async function ceiling(directory: string, tmp: string) {
  const nul = openSync('/dev/null', 'w');
  const runs: Rusage[] = [];
  try {
    // Twice: the first run reads the files into the page cache, as the daemon's runs will find them.
    for (let i = 0; i < 2; i++) {
      const r = runMeasured(['journalctl', `--directory=${directory}`, '-o', 'export', '--all', '--no-pager'], { stdout: nul, rusageFile: path.join(tmp, `ceiling-${i}.json`) });
      runs.push(await r.done);
    }
  } finally {
    closeSync(nul);
  }
  const best = runs.reduce((a, b) => (b.wall < a.wall ? b : a));
  return { seconds: best.wall, entriesPerSec: ENTRIES / best.wall, cpuSecondsPerMillion: ((best.user + best.system) * 1e6) / ENTRIES, peakRssMb: best.maxRssKb / 1024 };
}

/** One reader alone in a child process; its CPU includes journalctl's (the journalctl reader) or the worker thread's (native). */
async function readerAlone(directory: string, tmp: string, reader: 'journalctl' | 'native') {
  const r = runMeasured([process.execPath, READER_ALONE, directory, reader], { stdout: 'pipe', rusageFile: path.join(tmp, `reader-${reader}.json`) });
  const usage = await r.done;
  if (usage.code !== 0) throw new Error(`reader-alone ${reader} failed: ${r.stderr()}`);
  const out = JSON.parse(r.stdout()) as { entries: number; seconds: number; mainThreadCpuSeconds: number };
  if (out.entries !== ENTRIES) throw new Error(`reader-alone ${reader} read ${out.entries} entries, expected ${ENTRIES}`);
  return {
    seconds: out.seconds,
    entriesPerSec: out.entries / out.seconds,
    cpuSecondsPerMillion: ((usage.user + usage.system) * 1e6) / ENTRIES,
    mainThreadCpuSecondsPerMillion: (out.mainThreadCpuSeconds * 1e6) / ENTRIES,
    peakRssMb: usage.maxRssKb / 1024,
  };
}

/** The reader the daemon says it runs (journal.reader: auto picks native when libsystemd loads). */
function readerOf(stderr: string): string {
  for (const line of stderr.split('\n')) {
    if (!line.includes('"reading the journal"')) continue;
    try {
      return (JSON.parse(line) as { reader?: string }).reader ?? 'unknown';
    } catch {
      // a torn line
    }
  }
  return 'unknown';
}

function daemonConfig(stateDir: string, journal: Record<string, unknown>, s: BenchStandins, all: boolean): Record<string, unknown> {
  return { journal: { ...journal, reader: READER }, state: { directory: stateDir }, pipeline: PIPELINE, destinations: benchDestinations(s, all), metrics: { listen: null }, log: { level: 'info' } };
}

function nodeArgs(profileName: string): string[] {
  if (!PROFILE_DIR) return [process.execPath, ...DAEMON_NODE_FLAGS];
  return [process.execPath, ...DAEMON_NODE_FLAGS, '--cpu-prof', `--cpu-prof-dir=${path.resolve(PROFILE_DIR, profileName)}`];
}

/** Phase 2 and 3: the daemon from the head of the journal files to the stand-ins, until everything is accepted. */
async function backlogRun(name: string, directory: string, tmp: string, all: boolean, bin = BIN) {
  const standins = await startBenchStandins({ all, syslog: all && SYSLOG });
  live.standins.add(standins);
  const work = path.join(tmp, name);
  await mkdir(work, { recursive: true });
  const configFile = path.join(work, 'config.yaml');
  await writeFile(configFile, stringify(daemonConfig(path.join(work, 'state'), { directory, start: 'head' }, standins, all)));
  const nul = openSync('/dev/null', 'w');
  const started = performance.now();
  // The stand-ins run in this process: its CPU over the run is what they took from the daemon's 2 cores.
  const benchCpu = process.cpuUsage();
  const r = runMeasured([...nodeArgs(name), bin, 'run', '--config', configFile, '--no-follow'], { stdout: nul, env: AWS_ENV, rusageFile: path.join(work, 'rusage.json') });
  closeSync(nul);
  const sampler = new TreeSampler(r.child.pid!, 200, false);
  let firstAt: number | undefined;
  let doneAt: number | undefined;
  let exited = false;
  void r.done.finally(() => (exited = true));
  try {
    while (doneAt === undefined) {
      const accepted = standins.acceptedByAll();
      if (firstAt === undefined && accepted > 0) firstAt = performance.now();
      if (accepted >= ENTRIES) doneAt = performance.now();
      else if (exited) throw new Error(`${name}: daemon exited with ${accepted} of ${ENTRIES} entries accepted:\n${r.stderr().slice(-3000)}`);
      else if (performance.now() - started > runTimeoutMs(ENTRIES)) throw new Error(`${name}: ${accepted} of ${ENTRIES} accepted after ${runTimeoutMs(ENTRIES)} ms`);
      else await sleep(20);
    }
    const standinCpu = process.cpuUsage(benchCpu);
    const usage = await r.done;
    sampler.stop();
    if (usage.code !== 0) throw new Error(`${name}: daemon exited with ${usage.code}:\n${r.stderr().slice(-3000)}`);
    const cw = standins.cloudwatch.counters;
    const extra = standins.acceptedByAll() - ENTRIES;
    const seconds = (doneAt - started) / 1000;
    return {
      seconds,
      entriesPerSec: ENTRIES / seconds,
      entriesPerSecAfterStartup: ENTRIES / ((doneAt - (firstAt ?? started)) / 1000),
      cpuSecondsPerMillion: ((usage.user + usage.system) * 1e6) / ENTRIES,
      cpuSeconds: usage.user + usage.system,
      standinCpuSeconds: (standinCpu.user + standinCpu.system) / 1e6,
      peakRssMb: usage.maxRssKb / 1024,
      daemonPeakRssMb: (sampler.peakHwmByComm.get(DAEMON_COMM) ?? NaN) / MB,
      daemonPeakAnonRssMb: (sampler.peakAnonByComm.get(DAEMON_COMM) ?? NaN) / MB,
      journalctlPeakRssMb: (sampler.peakHwmByComm.get('journalctl') ?? NaN) / MB,
      peakTreeRssMb: sampler.peakRss / MB,
      reader: readerOf(r.stderr()),
      daemonExitSeconds: usage.wall,
      accepted: { cloudwatch: cw.acceptedEvents, loggly: standins.loggly?.counters.events, logdna: standins.logdna?.counters.lines, syslog: standins.syslog?.count(), duplicates: extra },
      putLogEvents: cw.calls.PutLogEvents ?? 0,
      requests: { loggly: standins.loggly?.counters.requests, logdna: standins.logdna?.counters.requests },
      errors: cw.errors,
      warnings: r.stderr().split('\n').filter((l) => /"level":(40|50|60)/.test(l)).length,
      detachments: r.detachments(),
      warningLines: r.stderr().split('\n').filter((l) => /"level":(40|50|60)/.test(l)).slice(0, 20),
    };
  } finally {
    sampler.stop();
    live.standins.delete(standins);
    await standins.close();
  }
}

/** Phase 4: a live namespace written at a steady rate while the daemon follows it. */
async function steady(tmp: string) {
  const journal = await TestJournal.start('jfb');
  live.journal = journal;
  const standins = await startBenchStandins({ all: false, latency: true });
  live.standins.add(standins);
  const work = path.join(tmp, 'steady');
  await mkdir(work, { recursive: true });
  const configFile = path.join(work, 'config.yaml');
  await writeFile(configFile, stringify(daemonConfig(path.join(work, 'state'), { namespace: journal.namespace, start: 'head' }, standins, false)));
  const r = runMeasured([...nodeArgs('steady'), BIN, 'run', '--config', configFile], { env: AWS_ENV, rusageFile: path.join(work, 'rusage.json') });
  try {
    for (let i = 0; i < 200 && !r.stderr().includes('reading the journal'); i++) await sleep(50);
    if (!r.stderr().includes('reading the journal')) throw new Error(`steady: daemon did not start:\n${r.stderr().slice(-3000)}`);
    await sleep(1000);
    const writer = spawn('python3', [STEADY_WRITER, journal.socketPath, String(STEADY_RATE), String(STEADY_SECONDS)], { stdio: ['ignore', 'pipe', 'inherit'] });
    live.children.add(writer);
    let written = '';
    writer.stdout.setEncoding('utf8').on('data', (d: string) => (written += d));
    const writerDone = new Promise<void>((resolve) => writer.once('close', () => resolve()));
    const sampler = new TreeSampler(r.child.pid!, 250, false);
    // CPU is measured after a warm-up that creates the groups and streams, to the writer's end.
    const warmupMs = Math.min(5000, (STEADY_SECONDS * 1000) / 4);
    await sleep(warmupMs);
    const from = sampler.sample();
    await writerDone;
    live.children.delete(writer);
    const to = sampler.sample();
    const sent = Number(written.trim());
    const deadline = Date.now() + 15_000;
    while (standins.latencies.length < sent && Date.now() < deadline) {
      standins.acceptedByAll();
      await sleep(100);
    }
    sampler.stop();
    r.child.kill('SIGTERM');
    const usage = await r.done;
    const lat = [...standins.latencies].sort((a, b) => a - b);
    return {
      seconds: STEADY_SECONDS,
      rate: STEADY_RATE,
      sent,
      accepted: lat.length,
      achievedRate: sent / STEADY_SECONDS,
      cpuPercentOfOneCore: ((to.cpu - from.cpu) / ((to.at - from.at) / 1000)) * 100,
      // journalctl follows the same pid for the whole window (the daemon restarts it only on failure).
      journalctlCpuPercentOfOneCore: ((cpuOf(to, 'journalctl') - cpuOf(from, 'journalctl')) / ((to.at - from.at) / 1000)) * 100,
      peakTreeRssMb: sampler.peakRss / MB,
      peakRssMb: usage.maxRssKb / 1024,
      daemonPeakRssMb: (sampler.peakHwmByComm.get(DAEMON_COMM) ?? NaN) / MB,
      daemonPeakAnonRssMb: (sampler.peakAnonByComm.get(DAEMON_COMM) ?? NaN) / MB,
      journalctlPeakRssMb: (sampler.peakHwmByComm.get('journalctl') ?? NaN) / MB,
      reader: readerOf(r.stderr()),
      latencyP50Ms: quantile(lat, 0.5),
      latencyP99Ms: quantile(lat, 0.99),
      latencyMaxMs: lat.at(-1) ?? NaN,
      daemonExitCode: usage.code,
      detachments: r.detachments(),
      namespace: journal.namespace,
    };
  } finally {
    if (r.child.exitCode === null) r.child.kill('SIGKILL');
    live.standins.delete(standins);
    await standins.close();
    live.journal = undefined;
    await journal.stop();
  }
}

/** What a bench run may leave behind by mistake: namespace journals, their configs, journald processes. */
function leftovers(namespace: string | undefined): string[] {
  const out: string[] = [];
  if (!namespace) return out;
  for (const dir of readdirSync('/var/log/journal')) if (dir.endsWith(`.${namespace}`)) out.push(`/var/log/journal/${dir}`);
  if (existsSync(`/etc/systemd/journald@${namespace}.conf`)) out.push(`/etc/systemd/journald@${namespace}.conf`);
  for (const pid of readdirSync('/proc')) {
    if (!/^\d+$/.test(pid)) continue;
    try {
      if (readFileSync(`/proc/${pid}/cmdline`, 'utf8').includes(namespace)) out.push(`process ${pid}`);
    } catch {
      // gone
    }
  }
  return out;
}

// ---- report ---------------------------------------------------------------------------------------------

/**
 * The daemon's peak RSS counts the journal files it maps when it reads them itself (native reader): page
 * cache, shared and reclaimable. Its anonymous memory (heap, buffers) is said apart; journalctl's RSS likewise.
 */
function memoryNote(run: { reader: string; daemonPeakAnonRssMb: number; journalctlPeakRssMb: number }): string {
  return run.reader === 'journalctl' ? `daemon anon ${fmt(run.daemonPeakAnonRssMb)} MB, journalctl ${fmt(run.journalctlPeakRssMb)} MB` : `daemon anon ${fmt(run.daemonPeakAnonRssMb)} MB (the rest mapped journal files)`;
}

/** Destinations detached from the shared reader during a run: each reads part of the journal again. */
const detachNote = (n: number) => (n > 0 ? `; ${n} detachment${n === 1 ? '' : 's'}` : '');

const fmt = (n: number | undefined, digits = 0) => (n === undefined || Number.isNaN(n) ? '-' : n.toLocaleString('en-US', { maximumFractionDigits: digits, minimumFractionDigits: digits }));

/** --ab: alternating runs of one backlog phase with two daemons (e.g. a branch and its base), same journal. */
async function abMain(bins: string[]): Promise<void> {
  const rounds = Number(argv.rounds ?? 3);
  const all = (argv.phase ?? 'all') === 'all';
  let directory = argv.journal;
  if (directory === undefined) {
    directory = path.join(live.tmp!, 'journal');
    await mkdir(directory);
    log(`writing ${ENTRIES.toLocaleString('en-US')} entries with systemd-journal-remote into ${directory}`);
    await makeBenchJournal(directory, ENTRIES);
  }
  for (let round = 1; round <= rounds; round++) {
    for (const [i, bin] of bins.entries()) {
      const label = String.fromCharCode(65 + i);
      const load = os.loadavg()[0]!.toFixed(2);
      const r = await backlogRun(`${all ? 'all' : 'cloudwatch'}-${label}${round}`, directory, live.tmp!, all, path.resolve(bin));
      log(`round ${round} ${label}: ${fmt(r.cpuSecondsPerMillion, 2)} CPU s/M, ${fmt(r.entriesPerSec)}/s, ${fmt(r.putLogEvents)} PutLogEvents, ${r.warnings} warnings, load ${load}`);
      process.stdout.write(JSON.stringify({ round, label, bin, loadBefore: Number(load), ...r }) + '\n');
    }
  }
}

async function main(): Promise<void> {
  live.tmp = await mkdtemp(path.join(os.tmpdir(), 'jf-bench-'));
  process.once('SIGINT', () => void cleanup().finally(() => process.exit(130)));
  process.once('SIGTERM', () => void cleanup().finally(() => process.exit(143)));
  if (ONLY_STEADY) {
    log(`4. steady state: ${fmt(STEADY_RATE)} entries/s for ${STEADY_SECONDS} s into a journald namespace`);
    const st = await steady(live.tmp);
    log(`   ${fmt(st.cpuPercentOfOneCore, 1)}% of one core, p50 ${fmt(st.latencyP50Ms)} ms, p99 ${fmt(st.latencyP99Ms)} ms, ${fmt(st.accepted)}/${fmt(st.sent)} accepted${detachNote(st.detachments)}`);
    process.stdout.write(JSON.stringify({ steady: st }) + '\n');
    if (argv.json) await writeFile(argv.json, JSON.stringify({ steady: st }, null, 2) + '\n');
    await cleanup();
    return;
  }
  if (argv.ab !== undefined) {
    await abMain(argv.ab.split(','));
    await cleanup();
    return;
  }
  const directory = path.join(live.tmp, 'journal');
  await mkdir(directory);
  log(`writing ${ENTRIES.toLocaleString('en-US')} entries with systemd-journal-remote into ${directory}`);
  const made = await makeBenchJournal(directory, ENTRIES);
  log(`journal ready: ${(made.exportBytes / 1e6).toFixed(0)} MB of export text in ${made.seconds.toFixed(1)} s`);
  log('1. ceiling: journalctl -o export --all > /dev/null');
  const ceil = await ceiling(directory, live.tmp);
  log(`   ${fmt(ceil.entriesPerSec)} entries/s`);
  log('5. reader alone: JournalReader (journalctl + ExportParser)');
  const reader = await readerAlone(directory, live.tmp, 'journalctl');
  log(`   ${fmt(reader.entriesPerSec)} entries/s`);
  log('5b. reader alone: NativeJournalReader (libsystemd in a worker thread)');
  const native = await readerAlone(directory, live.tmp, 'native');
  log(`   ${fmt(native.entriesPerSec)} entries/s`);
  log('2. journal-fanout -> CloudWatch stand-in');
  const cw = await backlogRun('cloudwatch', directory, live.tmp, false);
  log(`   ${fmt(cw.entriesPerSec)} entries/s, daemon peak RSS ${fmt(cw.daemonPeakRssMb)} MB`);
  log(`3. journal-fanout -> CloudWatch + Loggly + LogDNA + stdout${SYSLOG ? ' + syslog (syslog-ng)' : ''}`);
  const all = await backlogRun('all', directory, live.tmp, true);
  log(`   ${fmt(all.entriesPerSec)} entries/s, daemon peak RSS ${fmt(all.daemonPeakRssMb)} MB`);
  let st: Awaited<ReturnType<typeof steady>> | undefined;
  if (!SKIP_STEADY) {
    log(`4. steady state: ${fmt(STEADY_RATE)} entries/s for ${STEADY_SECONDS} s into a journald namespace`);
    st = await steady(live.tmp);
    log(`   ${fmt(st.cpuPercentOfOneCore, 1)}% of one core, p99 ${fmt(st.latencyP99Ms)} ms`);
  }
  const namespace = st?.namespace;
  const totalSeconds = (performance.now() - benchStart) / 1000;

  const rows: Array<[string, string, string, string, string]> = [
    ['measure', 'entries/s', 'CPU s / 1M entries', 'peak RSS MB', 'note'],
    // Rows 1 and 5: journalctl's (it maps the journal files). Rows 2-4: the daemon's own; journalctl's in the note.
    ['1. ceiling: journalctl -o export', fmt(ceil.entriesPerSec), fmt(ceil.cpuSecondsPerMillion, 2), fmt(ceil.peakRssMb), `${ceil.seconds.toFixed(2)} s`],
    ['5. reader alone (journalctl + parser)', fmt(reader.entriesPerSec), fmt(reader.cpuSecondsPerMillion, 2), fmt(reader.peakRssMb), `${((reader.entriesPerSec / ceil.entriesPerSec) * 100).toFixed(0)}% of ceiling; main thread ${fmt(reader.mainThreadCpuSecondsPerMillion, 2)} CPU s/M`],
    [
      '5b. reader alone (native)',
      fmt(native.entriesPerSec),
      fmt(native.cpuSecondsPerMillion, 2),
      fmt(native.peakRssMb),
      `${(native.entriesPerSec / reader.entriesPerSec).toFixed(2)}x the journalctl reader's rate at ${(native.cpuSecondsPerMillion / reader.cpuSecondsPerMillion).toFixed(2)}x its CPU; main thread ${fmt(native.mainThreadCpuSecondsPerMillion, 2)} CPU s/M`,
    ],
    ['2. end to end -> CloudWatch', fmt(cw.entriesPerSec), fmt(cw.cpuSecondsPerMillion, 2), fmt(cw.daemonPeakRssMb), `reader ${cw.reader}; ${((cw.entriesPerSec / ceil.entriesPerSec) * 100).toFixed(0)}% of ceiling; ${fmt(cw.entriesPerSecAfterStartup)}/s after start-up; ${fmt(cw.putLogEvents)} PutLogEvents (${fmt(ENTRIES / cw.putLogEvents)} events each); stand-in ${fmt(cw.standinCpuSeconds, 1)} CPU s; ${memoryNote(cw)}${detachNote(cw.detachments)}`],
    [`3. end to end -> all four${SYSLOG ? ' + syslog' : ''}`, fmt(all.entriesPerSec), fmt(all.cpuSecondsPerMillion, 2), fmt(all.daemonPeakRssMb), `reader ${all.reader}; ${((all.entriesPerSec / ceil.entriesPerSec) * 100).toFixed(0)}% of ceiling; ${fmt(all.putLogEvents)} PutLogEvents; stand-ins ${fmt(all.standinCpuSeconds, 1)} CPU s; ${memoryNote(all)}${detachNote(all.detachments)}`],
  ];
  if (st) {
    rows.push([
      `4. steady ${fmt(st.rate)}/s for ${st.seconds} s`,
      fmt(st.achievedRate),
      `${fmt(st.cpuPercentOfOneCore, 1)}% of 1 core`,
      fmt(st.daemonPeakRssMb),
      `reader ${st.reader}${st.reader === 'journalctl' ? `, journalctl ${fmt(st.journalctlCpuPercentOfOneCore, 1)}% of it` : ''}; ${memoryNote(st)}; latency p50 ${fmt(st.latencyP50Ms)} ms, p99 ${fmt(st.latencyP99Ms)} ms; ${fmt(st.accepted)}/${fmt(st.sent)} accepted${detachNote(st.detachments)}`,
    ]);
  }
  const widths = rows[0]!.map((_, i) => Math.max(...rows.map((r) => r[i]!.length)));
  const line = (r: string[]) => '| ' + r.map((c, i) => (i === 0 || i === 4 ? c.padEnd(widths[i]!) : c.padStart(widths[i]!))).join(' | ') + ' |';
  const table = [line(rows[0]!), '|' + widths.map((w, i) => (i === 0 || i === 4 ? '-'.repeat(w + 2) : '-'.repeat(w + 1) + ':')).join('|') + '|', ...rows.slice(1).map(line)].join('\n');

  // DESIGN.md "Performance goals", as ratios to this run's ceiling.
  const targets = {
    nativeReaderAtLeast2xRate: native.entriesPerSec >= 2 * reader.entriesPerSec,
    nativeReaderAtMostHalfCpu: native.cpuSecondsPerMillion <= 0.5 * reader.cpuSecondsPerMillion,
    endToEndAtLeast80PercentOfCeiling: cw.entriesPerSec >= 0.8 * ceil.entriesPerSec,
    endToEndAtMost15CpuSecondsPerMillion: cw.cpuSecondsPerMillion <= 15,
    allFourAtLeast40PercentOfCeiling: all.entriesPerSec >= 0.4 * ceil.entriesPerSec,
    // The daemon's own RSS: journalctl's is mostly the journal files it maps (page cache, shared and reclaimable).
    peakRssUnder150MbOneDestination: Math.max(cw.daemonPeakRssMb, st?.daemonPeakRssMb ?? 0) < 150,
    peakRssUnder200MbFourDestinations: all.daemonPeakRssMb < 200,
    steadyAtMost20PercentOfOneCore: st ? st.cpuPercentOfOneCore <= 20 : undefined,
    steadyP99Under1500Ms: st ? st.latencyP99Ms < 1500 : undefined,
  };
  const result = {
    machine: { cpus: os.cpus().length, cpu: os.cpus()[0]?.model, node: process.version, systemd: execFileSync('journalctl', ['--version'], { encoding: 'utf8' }).split('\n')[0] },
    entries: ENTRIES,
    journal: { exportMb: made.exportBytes / 1e6, prepareSeconds: made.seconds },
    ceiling: ceil,
    readerAlone: reader,
    nativeReaderAlone: native,
    cloudwatch: cw,
    allFour: all,
    steady: st,
    targets,
    totalSeconds,
  };
  process.stdout.write(`\njournal-fanout bench: ${fmt(ENTRIES)} entries, ${os.cpus().length} CPUs, ${os.cpus()[0]?.model ?? ''}, node ${process.version}\n\n${table}\n\n`);
  const verdict = (v: boolean | undefined) => (v === undefined ? 'not run' : v ? 'met' : 'NOT met');
  process.stdout.write(
    `targets: native reader >= 2x the journalctl reader's rate: ${verdict(targets.nativeReaderAtLeast2xRate)}, <= half its CPU: ${verdict(targets.nativeReaderAtMostHalfCpu)}; ` +
      `end to end >= 80% of ceiling: ${verdict(targets.endToEndAtLeast80PercentOfCeiling)}; <= 15 CPU s/M: ${verdict(targets.endToEndAtMost15CpuSecondsPerMillion)}; ` +
      `all four >= 40% of ceiling: ${verdict(targets.allFourAtLeast40PercentOfCeiling)}; peak RSS < 150 MB (one destination): ${verdict(targets.peakRssUnder150MbOneDestination)}; ` +
      `< 200 MB (four): ${verdict(targets.peakRssUnder200MbFourDestinations)}; steady <= 20% of one core: ${verdict(targets.steadyAtMost20PercentOfOneCore)}; ` +
      `p99 < 1.5 s: ${verdict(targets.steadyP99Under1500Ms)}\n\n`,
  );
  process.stdout.write(JSON.stringify(result) + '\n');
  if (argv.json) await writeFile(argv.json, JSON.stringify(result, null, 2) + '\n');
  await cleanup();
  const left = leftovers(namespace);
  log(left.length === 0 ? `done in ${totalSeconds.toFixed(0)} s; nothing left behind` : `left behind: ${left.join(', ')}`);
}

try {
  await main();
} catch (error) {
  process.stderr.write(`bench failed: ${(error as Error).stack ?? String(error)}\n`);
  await cleanup();
  process.exitCode = 1;
}
