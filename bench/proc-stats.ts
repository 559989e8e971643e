// CPU time and memory of a process tree, read from /proc: what the bench charges to the daemon and its journalctl.
import { execFileSync } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';

/** Clock ticks per second of /proc/<pid>/stat times (USER_HZ; 100 on Linux, asked once). */
export const CLOCK_TICKS = Number(execFileSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).trim()) || 100;

export interface ProcSample {
  pid: number;
  ppid: number;
  comm: string;
  /** utime + stime of the process itself, seconds. */
  cpu: number;
  /** cutime + cstime: its children that exited and were waited for, seconds. */
  childrenCpu: number;
}

export function readStat(pid: number): ProcSample | undefined {
  let stat: string;
  try {
    stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  } catch {
    return undefined;
  }
  const close = stat.lastIndexOf(')');
  const comm = stat.slice(stat.indexOf('(') + 1, close);
  // Fields after "(comm) ": state ppid ... utime(14) stime(15) cutime(16) cstime(17), numbered from pid = 1.
  const rest = stat.slice(close + 2).split(' ');
  const n = (field: number) => Number(rest[field - 3]);
  return { pid, ppid: n(4), comm, cpu: (n(14) + n(15)) / CLOCK_TICKS, childrenCpu: (n(16) + n(17)) / CLOCK_TICKS };
}

/**
 * VmRSS, VmHWM (peak), RssAnon (heap and buffers, without mapped files) and RssFile (mapped files: the binary,
 * libraries, journal files) of a process, in bytes; zeros once it is gone.
 */
export function readMemory(pid: number): { rss: number; hwm: number; anon: number; file: number } {
  try {
    const status = readFileSync(`/proc/${pid}/status`, 'utf8');
    const kb = (name: string) => Number(new RegExp(`^${name}:\\s+(\\d+) kB`, 'm').exec(status)?.[1] ?? 0) * 1024;
    return { rss: kb('VmRSS'), hwm: kb('VmHWM'), anon: kb('RssAnon'), file: kb('RssFile') };
  } catch {
    return { rss: 0, hwm: 0, anon: 0, file: 0 };
  }
}

/** Every descendant of `root` (children, grandchildren...), from one pass over /proc. */
export function descendants(root: number): number[] {
  const byParent = new Map<number, number[]>();
  for (const name of readdirSync('/proc')) {
    const pid = Number(name);
    if (!Number.isInteger(pid)) continue;
    const s = readStat(pid);
    if (!s) continue;
    const list = byParent.get(s.ppid) ?? [];
    list.push(pid);
    byParent.set(s.ppid, list);
  }
  const out: number[] = [];
  const walk = (pid: number) => {
    for (const child of byParent.get(pid) ?? []) {
      out.push(child);
      walk(child);
    }
  };
  walk(root);
  return out;
}

export interface TreeSample {
  at: number;
  /** CPU seconds of the tree: every live process, plus the exited children each one waited for. */
  cpu: number;
  /** Sum of VmRSS over the tree, bytes. */
  rss: number;
  /** Largest VmHWM of one process in the tree (the daemon's, in practice), bytes. */
  hwm: number;
  pids: Array<{ pid: number; comm: string; rss: number; hwm: number; anon: number; cpu: number }>;
}

/** One sample of the tree under `root` (root itself excluded when `includeRoot` is false: a wrapper). */
export function sampleTree(root: number, includeRoot = true): TreeSample {
  const pids = [...(includeRoot ? [root] : []), ...descendants(root)];
  let cpu = 0;
  let rss = 0;
  let hwm = 0;
  const list: TreeSample['pids'] = [];
  for (const pid of pids) {
    const s = readStat(pid);
    if (!s) continue;
    const m = readMemory(pid);
    cpu += s.cpu + s.childrenCpu;
    rss += m.rss;
    hwm = Math.max(hwm, m.hwm);
    list.push({ pid, comm: s.comm, rss: m.rss, hwm: m.hwm, anon: m.anon, cpu: s.cpu + s.childrenCpu });
  }
  return { at: performance.now(), cpu, rss, hwm, pids: list };
}

/** Samples a tree every `intervalMs` and keeps the peaks. */
export class TreeSampler {
  readonly #root: number;
  readonly #includeRoot: boolean;
  readonly #timer: NodeJS.Timeout;
  peakRss = 0;
  peakHwm = 0;
  /** Largest VmHWM seen per process name (`MainThread` is the daemon: Node names its main thread so; `journalctl` its reader), bytes. */
  readonly peakHwmByComm = new Map<string, number>();
  /** Largest RssAnon sampled per process name (the daemon's own memory, without the journal files it maps), bytes. */
  readonly peakAnonByComm = new Map<string, number>();
  last: TreeSample | undefined;

  constructor(root: number, intervalMs = 100, includeRoot = true) {
    this.#root = root;
    this.#includeRoot = includeRoot;
    this.#timer = setInterval(() => this.sample(), intervalMs);
    this.sample();
  }

  sample(): TreeSample {
    const s = sampleTree(this.#root, this.#includeRoot);
    if (s.pids.length > 0) {
      this.last = s;
      this.peakRss = Math.max(this.peakRss, s.rss);
      this.peakHwm = Math.max(this.peakHwm, s.hwm);
      for (const p of s.pids) {
        this.peakHwmByComm.set(p.comm, Math.max(this.peakHwmByComm.get(p.comm) ?? 0, p.hwm));
        this.peakAnonByComm.set(p.comm, Math.max(this.peakAnonByComm.get(p.comm) ?? 0, p.anon));
      }
    }
    return s;
  }

  stop(): void {
    clearInterval(this.#timer);
  }
}

/** CPU seconds of the processes named `comm` in a sample (e.g. journalctl, to tell its share from the daemon's). */
export function cpuOf(sample: TreeSample, comm: string): number {
  let cpu = 0;
  for (const p of sample.pids) if (p.comm === comm) cpu += p.cpu;
  return cpu;
}
