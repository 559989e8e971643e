// Runs the real `journal-fanout` command as a child process and collects what it prints.
import { spawn, type ChildProcess } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { writeFile } from 'node:fs/promises';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { fileURLToPath } from 'node:url';
import { stringify } from 'yaml';
import { tempDir } from './temp-dir.ts';

export const BIN = fileURLToPath(new URL('../../bin/journal-fanout.js', import.meta.url));

/** A fresh temporary directory for one test's config and state. */
export async function workDir(): Promise<string> {
  return tempDir('jf-e2e-');
}

/** Writes `config` (an object, dumped as YAML) as DIR/config.yaml; returns the file's path. */
export async function writeConfig(dir: string, config: Record<string, unknown>): Promise<string> {
  const file = path.join(dir, 'config.yaml');
  await writeFile(file, stringify(config));
  return file;
}

export class Daemon {
  readonly child: ChildProcess;
  stdout = '';
  stderr = '';
  readonly exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;

  constructor(args: string[], env: NodeJS.ProcessEnv = {}) {
    this.child = spawn(process.execPath, [BIN, ...args], { stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, ...env } });
    this.child.stdout!.setEncoding('utf8');
    this.child.stderr!.setEncoding('utf8');
    this.child.stdout!.on('data', (d: string) => (this.stdout += d));
    this.child.stderr!.on('data', (d: string) => (this.stderr += d));
    this.exited = new Promise((resolve) => this.child.once('close', (code, signal) => resolve({ code, signal })));
  }

  /** Parsed JSON lines of stdout (the stdout destination's records); ignores an incomplete last line. */
  records(): Array<Record<string, unknown> & { message: string }> {
    const lines = this.stdout.split('\n');
    lines.pop();
    return lines.filter((l) => l.length > 0).map((l) => JSON.parse(l) as Record<string, unknown> & { message: string });
  }

  /** Self-log lines (JSON on stderr). */
  logs(): Array<Record<string, unknown> & { msg: string }> {
    return this.stderr
      .split('\n')
      .filter((l) => l.startsWith('{'))
      .map((l) => JSON.parse(l) as Record<string, unknown> & { msg: string });
  }

  async waitFor(predicate: () => boolean, what: string, timeoutMs = 30_000): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    while (!predicate()) {
      if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}\n--- stderr ---\n${this.stderr.slice(-3000)}`);
      if (this.child.exitCode !== null) throw new Error(`daemon exited (${this.child.exitCode}) while waiting for ${what}\n--- stderr ---\n${this.stderr.slice(-3000)}`);
      await sleep(50);
    }
  }

  /** Pids of the journalctl processes this daemon runs. */
  journalctlPids(): number[] {
    return childPids(this.child.pid!);
  }

  async stop(signal: NodeJS.Signals = 'SIGTERM', timeoutMs = 20_000): Promise<{ code: number | null; signal: NodeJS.Signals | null }> {
    if (this.child.exitCode === null && this.child.signalCode === null) this.child.kill(signal);
    const timer = setTimeout(() => {
      for (const pid of this.journalctlPids()) killQuietly(pid);
      this.child.kill('SIGKILL');
    }, timeoutMs);
    const result = await this.exited;
    clearTimeout(timer);
    return result;
  }
}

function killQuietly(pid: number, signal: NodeJS.Signals = 'SIGKILL'): void {
  try {
    process.kill(pid, signal);
  } catch {
    // already gone
  }
}

/** Direct children of a process, from /proc. */
export function childPids(parent: number): number[] {
  const out: number[] = [];
  for (const name of readdirSync('/proc')) {
    if (!/^\d+$/.test(name)) continue;
    try {
      const stat = readFileSync(`/proc/${name}/stat`, 'utf8');
      const ppid = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
      if (ppid === parent) out.push(Number(name));
    } catch {
      // raced with exit
    }
  }
  return out;
}

export { killQuietly };
