// `npm run bench:proxy`: what `journal-fanout proxy` can carry and what it costs, into a real journald namespace.
// See docs/proxy.md "Performance". Options (argv or env):
//   --messages N (BENCH_PROXY_MESSAGES, default 200,000)  messages per listener in the throughput phase
//   --steady-seconds S (BENCH_STEADY_SECONDS, 30)         --steady-rate R (BENCH_STEADY_RATE, 10,000 lines/s)
//   --containers C (200)   --listeners unixgram,unix,udp,tcp,tcp+tls   --quick (50,000 messages, 10 s steady)
//   --json FILE (also write the result)   --profile DIR (the proxy's --cpu-prof into DIR; read with bench/profile-top.ts)
//   --node-flags "..." (JOURNAL_FANOUT_NODE_FLAGS for the proxy: the node flags bin/journal-fanout.js re-executes with)
//   --max-dgram-qlen N: set net.unix.max_dgram_qlen to N while journald and the proxy create their sockets, then
//     restore it (a unix datagram socket keeps the value it was created with). systemd hosts have 512 (systemd's
//     sysctl.d/50-default.conf); a bare kernel has 10, which makes every receiver wake up per 10 datagrams.
// Phases: idle (start-up RSS, idle CPU); throughput per listener (a sender process sends N lines as fast as the
// proxy takes them; timed until the proxy has handed all of them to journald); steady (R lines/s over unixgram,
// Docker's usual address, for S seconds; the proxy's CPU as a share of one core, its RSS, journald's CPU).
// The sender runs in its own process; the Docker API stand-in runs in this one (one lookup per container).
import { spawn } from 'node:child_process';
import { readFileSync, statSync, writeFileSync } from 'node:fs';
import { writeFile } from 'node:fs/promises';
import { setTimeout as sleep } from 'node:timers/promises';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { ProxyHarness, TLS_DIR, journaldPid } from '../test/proxy/harness.ts';
import { readMemory, readStat } from './proc-stats.ts';
import type { StandinContainer } from '../test/standins/docker/index.ts';

const here = (p: string) => fileURLToPath(new URL(p, import.meta.url));
const SENDER = here('./proxy-sender.ts');

const { values: argv } = parseArgs({
  options: {
    messages: { type: 'string' },
    'steady-seconds': { type: 'string' },
    'steady-rate': { type: 'string' },
    containers: { type: 'string' },
    listeners: { type: 'string' },
    quick: { type: 'boolean', default: false },
    json: { type: 'string' },
    profile: { type: 'string' },
    'max-dgram-qlen': { type: 'string' },
    'node-flags': { type: 'string' },
  },
});
const env = process.env;
const quick = argv.quick || env.BENCH_QUICK === '1';
const MESSAGES = Number(argv.messages ?? env.BENCH_PROXY_MESSAGES ?? (quick ? 50_000 : 200_000));
const STEADY_SECONDS = Number(argv['steady-seconds'] ?? env.BENCH_STEADY_SECONDS ?? (quick ? 10 : 30));
const STEADY_RATE = Number(argv['steady-rate'] ?? env.BENCH_STEADY_RATE ?? 10_000);
const CONTAINERS = Number(argv.containers ?? 200);
const ALL_LISTENERS = ['unixgram', 'unix', 'udp', 'tcp', 'tcp+tls'];
const LISTENERS = (argv.listeners ?? ALL_LISTENERS.join(',')).split(',');
/** Steady phase: seconds at the start left out of the measurement (lookups, JIT warm-up). */
const WARMUP_SECONDS = 2;

const benchStart = performance.now();
const log = (line: string) => process.stderr.write(`[bench:proxy ${((performance.now() - benchStart) / 1000).toFixed(1).padStart(6)}s] ${line}\n`);
const MB = 1024 * 1024;

const ADDRESS: Record<string, string> = {
  unixgram: 'unixgram://{dir}/syslog.sock',
  unix: 'unix://{dir}/stream.sock',
  udp: 'udp://127.0.0.1:0',
  tcp: 'tcp://127.0.0.1:0',
  'tcp+tls': 'tcp+tls://127.0.0.1:0',
};

function staleBuildWarning(): void {
  try {
    if (statSync(here('../src/proxy/proxy-service.ts')).mtimeMs > statSync(here('../dist/src/proxy/proxy-service.js')).mtimeMs) {
      log('warning: src/ is newer than dist/: the proxy runs its TypeScript sources (more memory); run `npm run build` first');
    }
  } catch {
    log('warning: no dist/ build: the proxy runs its TypeScript sources (more memory); run `npm run build` first');
  }
}

const cpuOf = (pid: number) => readStat(pid)?.cpu ?? 0;
const QLEN_FILE = '/proc/sys/net/unix/max_dgram_qlen';
const readQlen = () => Number(readFileSync(QLEN_FILE, 'utf8').trim());

function runSender(transport: Record<string, unknown>, count: number, rate: number): Promise<{ sent: number; seconds: number }> {
  const child = spawn(process.execPath, [SENDER, JSON.stringify({ ...transport, tlsDir: TLS_DIR.replace(/\/$/, '') }), String(count), String(rate), String(CONTAINERS)], { stdio: ['ignore', 'pipe', 'inherit'] });
  let out = '';
  child.stdout.setEncoding('utf8').on('data', (d: string) => (out += d));
  return new Promise((resolve, reject) => {
    child.once('error', reject);
    child.once('close', (code) => (code === 0 ? resolve(JSON.parse(out) as { sent: number; seconds: number }) : reject(new Error(`sender exited with ${code}`))));
  });
}

/** The proxy's totals, from /metrics: passed, received, journal_full drops, entries queued for journald. */
async function totals(h: ProxyHarness): Promise<{ passed: number; received: number; droppedFull: number; queued: number }> {
  const text = await h.metrics();
  const t = { passed: 0, received: 0, droppedFull: 0, queued: 0 };
  for (const line of text.split('\n')) {
    const value = Number(line.slice(line.lastIndexOf(' ') + 1));
    if (line.startsWith('journal_fanout_proxy_passed_messages_total{')) t.passed += value;
    else if (line.startsWith('journal_fanout_proxy_received_messages_total{')) t.received += value;
    else if (line.startsWith('journal_fanout_proxy_dropped_messages_total{') && line.includes('reason="journal_full"')) t.droppedFull += value;
    else if (line.startsWith('journal_fanout_proxy_journal_queued_entries ')) t.queued = value;
  }
  return t;
}

async function main() {
  staleBuildWarning();
  const containers = Array.from({ length: CONTAINERS }, (_, c) => ({
    id: (0xb000_0000_0000 + c).toString(16) + 'f'.repeat(52),
    name: `ecs-svc${c % 20}-1-app-${(0xe8c1b2a3 + c).toString(16)}f4d5c6b7a801`,
    image: `123456789012.dkr.ecr.us-east-1.amazonaws.com/svc${c % 20}:1.0.${c}`,
    labels: { 'com.amazonaws.ecs.task-definition-family': `svc${c % 20}`, 'com.amazonaws.ecs.cluster': 'bench' },
  }));
  const hostQlen = readQlen();
  const qlen = argv['max-dgram-qlen'] === undefined ? hostQlen : Number(argv['max-dgram-qlen']);
  if (qlen !== hostQlen) {
    log(`net.unix.max_dgram_qlen ${hostQlen} -> ${qlen} while the sockets are made`);
    writeFileSync(QLEN_FILE, String(qlen));
  }
  let h: ProxyHarness;
  try {
    h = await startProxy(containers);
  } finally {
    if (qlen !== hostQlen) writeFileSync(QLEN_FILE, String(hostQlen));
  }
  return measure(h, qlen);
}

function startProxy(containers: StandinContainer[]): Promise<ProxyHarness> {
  return ProxyHarness.start({
    listen: LISTENERS.map((l) => ADDRESS[l]!),
    containers,
    // Nothing limited: every line must reach journald, so throughput is what the proxy carries.
    proxy: { rate_limit: { burst: 0 } },
    logLevel: 'info',
    env: {
      ...(argv.profile ? { NODE_OPTIONS: `--cpu-prof --cpu-prof-dir=${argv.profile}` } : {}),
      ...(argv['node-flags'] !== undefined ? { JOURNAL_FANOUT_NODE_FLAGS: argv['node-flags'] } : {}),
    },
  });
}

async function measure(h: ProxyHarness, qlen: number) {
  const proxyPid = h.daemon.child.pid!;
  const jpid = journaldPid(h.journal.namespace);
  const result: Record<string, unknown> = { maxDgramQlen: qlen, messages: MESSAGES, containers: CONTAINERS, steadyRate: STEADY_RATE, steadySeconds: STEADY_SECONDS, node: process.version, cpus: (await import('node:os')).cpus().length };
  try {
    // ---- idle
    await sleep(1000);
    const idleCpu0 = cpuOf(proxyPid);
    await sleep(3000);
    const idle = { cpuPercent: ((cpuOf(proxyPid) - idleCpu0) / 3) * 100, rssMb: readMemory(proxyPid).rss / MB };
    result.idle = idle;
    log(`idle: ${idle.cpuPercent.toFixed(2)}% CPU, RSS ${idle.rssMb.toFixed(1)} MB`);

    // ---- throughput per listener
    const throughput: Record<string, unknown> = {};
    for (const l of LISTENERS) {
      const before = await totals(h);
      const p0 = cpuOf(proxyPid);
      const j0 = cpuOf(jpid);
      const t0 = performance.now();
      const sender = runSender(h.target(ADDRESS[l]!) as unknown as Record<string, unknown>, MESSAGES, 0);
      let sent: number | undefined;
      void sender.then((r) => (sent = r.sent));
      let now = before;
      let lastReceived = -1;
      let lastProgress = performance.now();
      let doneAt = 0;
      for (;;) {
        await sleep(100);
        now = await totals(h);
        if (now.received !== lastReceived || now.queued > 0) {
          lastReceived = now.received;
          lastProgress = performance.now();
        }
        // Done when everything sent was received and journald took it all; UDP may lose datagrams in the kernel,
        // so also when nothing has moved for 3 s after the sender finished.
        if (sent !== undefined && now.received - before.received >= sent && now.queued === 0) {
          doneAt = performance.now();
          break;
        }
        if (sent !== undefined && performance.now() - lastProgress > 3000) {
          doneAt = lastProgress;
          break;
        }
      }
      const s = await sender;
      const seconds = (doneAt - t0) / 1000;
      const delivered = now.passed - before.passed;
      const proxyCpu = cpuOf(proxyPid) - p0;
      const journaldCpu = cpuOf(jpid) - j0;
      const row = {
        sent: s.sent,
        received: now.received - before.received,
        delivered,
        droppedJournalBehind: now.droppedFull - before.droppedFull,
        seconds,
        messagesPerSec: delivered / seconds,
        proxyCpuSeconds: proxyCpu,
        proxyCpuPercent: (proxyCpu / seconds) * 100,
        proxyCpuMicrosPerMessage: (proxyCpu * 1e6) / (now.received - before.received),
        journaldCpuPercent: (journaldCpu / seconds) * 100,
        proxyPeakRssMb: readMemory(proxyPid).hwm / MB,
      };
      throughput[l] = row;
      log(`${l}: ${row.delivered} of ${row.sent} to journald in ${seconds.toFixed(2)} s = ${Math.round(row.messagesPerSec)} msgs/s (${row.droppedJournalBehind} dropped: journald behind, ${row.sent - row.received} lost before the proxy); proxy ${row.proxyCpuPercent.toFixed(0)}% of a core (${row.proxyCpuMicrosPerMessage.toFixed(1)} us/msg), journald ${row.journaldCpuPercent.toFixed(0)}%`);
    }
    result.throughput = throughput;

    // ---- steady rate over unixgram
    if (LISTENERS.includes('unixgram') && STEADY_SECONDS > WARMUP_SECONDS) {
      const before = await totals(h);
      const sender = runSender(h.target(ADDRESS.unixgram!) as unknown as Record<string, unknown>, STEADY_RATE * STEADY_SECONDS, STEADY_RATE);
      await sleep(WARMUP_SECONDS * 1000);
      const p0 = cpuOf(proxyPid);
      const j0 = cpuOf(jpid);
      const t0 = performance.now();
      const rss: number[] = [];
      const sampler = setInterval(() => rss.push(readMemory(proxyPid).rss), 250);
      await sleep((STEADY_SECONDS - WARMUP_SECONDS - 1) * 1000);
      clearInterval(sampler);
      const seconds = (performance.now() - t0) / 1000;
      const proxyCpu = cpuOf(proxyPid) - p0;
      const journaldCpu = cpuOf(jpid) - j0;
      const s = await sender;
      let after = await totals(h);
      for (let i = 0; i < 50 && (after.received - before.received < s.sent || after.queued > 0); i++) {
        await sleep(100);
        after = await totals(h);
      }
      const steady = {
        rate: STEADY_RATE,
        seconds,
        sent: s.sent,
        received: after.received - before.received,
        delivered: after.passed - before.passed,
        droppedJournalBehind: after.droppedFull - before.droppedFull,
        proxyCpuPercent: (proxyCpu / seconds) * 100,
        journaldCpuPercent: (journaldCpu / seconds) * 100,
        proxyRssMbAvg: rss.reduce((a, b) => a + b, 0) / rss.length / MB,
        proxyRssMbMax: Math.max(...rss) / MB,
        proxyPeakRssMb: readMemory(proxyPid).hwm / MB,
      };
      result.steady = steady;
      log(`steady ${STEADY_RATE}/s over unixgram: proxy ${steady.proxyCpuPercent.toFixed(1)}% of one core, RSS ${steady.proxyRssMbAvg.toFixed(1)} MB (max ${steady.proxyRssMbMax.toFixed(1)}), journald ${steady.journaldCpuPercent.toFixed(1)}%; delivered ${steady.delivered} of ${steady.sent}`);
    }
  } finally {
    const { code } = await h.stop();
    if (code !== 0) log(`the proxy exited with ${code}`);
  }
  printTable(result);
  const json = JSON.stringify(result);
  process.stdout.write(json + '\n');
  if (argv.json) await writeFile(argv.json, json + '\n');
}

function printTable(r: Record<string, unknown>): void {
  const rows: string[] = [
    `net.unix.max_dgram_qlen ${String(r.maxDgramQlen)}, ${String(r.cpus)} CPUs, Node.js ${String(r.node)}; ${String(r.containers)} containers`,
    '| phase | lines/s into journald | proxy CPU (% of one core) | proxy CPU per line | journald CPU | proxy RSS | not delivered |',
    '| --- | ---: | ---: | ---: | ---: | ---: | --- |',
  ];
  const idle = r.idle as { cpuPercent: number; rssMb: number };
  rows.push(`| idle | - | ${idle.cpuPercent.toFixed(2)}% | - | - | ${idle.rssMb.toFixed(0)} MB | - |`);
  type Row = { messagesPerSec: number; proxyCpuPercent: number; proxyCpuMicrosPerMessage: number; journaldCpuPercent: number; proxyPeakRssMb: number; sent: number; received: number; droppedJournalBehind: number };
  const lost = (v: { sent: number; received: number; droppedJournalBehind: number }) => {
    const parts: string[] = [];
    if (v.droppedJournalBehind > 0) parts.push(`${v.droppedJournalBehind} dropped (journald behind, counted, said)`);
    if (v.sent > v.received) parts.push(`${v.sent - v.received} lost before the proxy (kernel UDP buffer)`);
    return parts.length > 0 ? parts.join('; ') : 'none';
  };
  for (const [l, v] of Object.entries((r.throughput ?? {}) as Record<string, Row>)) {
    rows.push(`| max rate, ${l} | ${Math.round(v.messagesPerSec).toLocaleString('en')} | ${v.proxyCpuPercent.toFixed(0)}% | ${v.proxyCpuMicrosPerMessage.toFixed(1)} us | ${v.journaldCpuPercent.toFixed(0)}% | ${v.proxyPeakRssMb.toFixed(0)} MB peak | ${lost(v)} |`);
  }
  const s = r.steady as (Row & { rate: number; proxyRssMbAvg: number; proxyRssMbMax: number }) | undefined;
  if (s) rows.push(`| steady ${s.rate.toLocaleString('en')}/s, unixgram | ${s.rate.toLocaleString('en')} | ${s.proxyCpuPercent.toFixed(1)}% | ${((s.proxyCpuPercent / 100 / s.rate) * 1e6).toFixed(1)} us | ${s.journaldCpuPercent.toFixed(0)}% | ${s.proxyRssMbAvg.toFixed(0)} MB (max ${s.proxyRssMbMax.toFixed(0)}) | ${lost(s)} |`);
  process.stdout.write(rows.join('\n') + '\n');
}

await main();
