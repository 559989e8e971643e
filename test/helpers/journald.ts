// A private journald namespace for tests: start it, write entries through the native protocol, read back, stop.
import { spawn, execFile, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { rm, writeFile } from 'node:fs/promises';
import net from 'node:net';
import { setTimeout as sleep } from 'node:timers/promises';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { ExportParser } from '../../src/journal/export-parser.ts';
import type { JournalEntry } from '../../src/model/journal-entry.ts';

const run = promisify(execFile);
const SENDER = fileURLToPath(new URL('./journal_send.py', import.meta.url));
const JOURNALD = '/lib/systemd/systemd-journald';

export type TestFieldValue = string | Uint8Array | number;
export type TestEntry = Record<string, TestFieldValue | TestFieldValue[]>;

/** Native protocol payload of one entry: `NAME=value\n`, or `NAME\n<u64 le length><bytes>\n` for values with newlines or binary. */
export function encodeNative(entry: TestEntry): Buffer {
  const parts: Buffer[] = [];
  for (const [name, raw] of Object.entries(entry)) {
    const values = Array.isArray(raw) ? raw : [raw];
    for (const v of values) {
      const bytes = typeof v === 'string' ? Buffer.from(v, 'utf8') : typeof v === 'number' ? Buffer.from(String(v)) : Buffer.from(v);
      if (bytes.includes(0x0a)) {
        const len = Buffer.alloc(8);
        len.writeBigUInt64LE(BigInt(bytes.length));
        parts.push(Buffer.from(name + '\n'), len, bytes, Buffer.from('\n'));
      } else {
        parts.push(Buffer.from(name + '='), bytes, Buffer.from('\n'));
      }
    }
  }
  return Buffer.concat(parts);
}

export class TestJournal {
  readonly namespace: string;
  readonly socketPath: string;
  readonly journalDirectory: string;
  readonly #confPath: string;
  #daemon: ChildProcess | undefined;
  #keepAlive: net.Socket | undefined;

  private constructor(namespace: string) {
    this.namespace = namespace;
    this.socketPath = `/run/systemd/journal.${namespace}/socket`;
    const machineId = readFileSync('/etc/machine-id', 'utf8').trim();
    this.journalDirectory = `/var/log/journal/${machineId}.${namespace}`;
    this.#confPath = `/etc/systemd/journald@${namespace}.conf`;
  }

  /** Starts `systemd-journald NAME` with rate limiting off (tests write fast, from one "service"). */
  static async start(prefix = 'jft'): Promise<TestJournal> {
    const journal = new TestJournal(`${prefix}${randomBytes(4).toString('hex')}`);
    await journal.#start();
    return journal;
  }

  async #start(): Promise<void> {
    await writeFile(this.#confPath, '[Journal]\nStorage=persistent\nRateLimitBurst=0\nRateLimitIntervalSec=0\n');
    this.#daemon = spawn(JOURNALD, [this.namespace], { stdio: 'ignore', env: { PATH: process.env.PATH ?? '/usr/bin:/bin' } });
    // journald creates its sockets within a few hundred ms on an idle machine; on a loaded 2-core machine it
    // took more than the 5 s this waited before, so a test failed for nothing. 20 s bounds it still.
    const deadline = Date.now() + 20_000;
    while (Date.now() < deadline && !existsSync(`/run/systemd/journal.${this.namespace}/stdout`)) await sleep(25);
    if (!existsSync(this.socketPath)) {
      throw new Error(`journald namespace ${this.namespace} did not create ${this.socketPath} within 20 s (is ${JOURNALD} runnable as this user, and /run/systemd writable?)`);
    }
    // A namespace journald exits after 30 s without clients: hold a stdout stream open (header first).
    this.#keepAlive = net.connect(`/run/systemd/journal.${this.namespace}/stdout`);
    this.#keepAlive.on('error', () => {});
    this.#keepAlive.write('jft-keepalive\n\n6\n0\n0\n0\n0\n');
  }

  /** Writes entries through the native protocol, in order (an async iterable paces them); resolves when all were handed to journald. */
  async send(entries: Iterable<TestEntry> | AsyncIterable<TestEntry>): Promise<number> {
    const child = spawn('python3', [SENDER, this.socketPath], { stdio: ['pipe', 'pipe', 'inherit'] });
    let out = '';
    child.stdout.on('data', (d: Buffer) => (out += d.toString()));
    const exited = new Promise<number>((resolve) => child.on('exit', (code) => resolve(code ?? -1)));
    for await (const entry of entries) {
      const payload = encodeNative(entry);
      const head = Buffer.alloc(4);
      head.writeUInt32LE(payload.length);
      if (!child.stdin.write(Buffer.concat([head, payload]))) await new Promise((r) => child.stdin.once('drain', r));
    }
    child.stdin.end();
    const code = await exited;
    if (code !== 0) throw new Error(`journal_send.py exited with ${code}`);
    return Number(out.trim());
  }

  /** Number of entries in the namespace that carry `field` (default: every entry with a MESSAGE). */
  async count(match?: string): Promise<number> {
    const args = ['--namespace', this.namespace, '--all', '-o', 'cat', '--output-fields=_BOOT_ID', '-q'];
    if (match) args.push(match);
    const { stdout } = await run('journalctl', args, { maxBuffer: 1 << 30 });
    return stdout.split('\n').filter((l) => l.length > 0).length;
  }

  /** Waits until at least `n` entries match (journald writes asynchronously). */
  async waitForCount(n: number, match?: string, timeoutMs = 30_000): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    let have = 0;
    while (Date.now() < deadline) {
      have = await this.count(match);
      if (have >= n) return;
      await sleep(100);
    }
    throw new Error(`journal ${this.namespace}: waited for ${n} entries${match ? ` matching ${match}` : ''}, have ${have}`);
  }

  /** Every entry of the namespace, parsed from `journalctl -o export`. */
  async readAll(match?: string): Promise<JournalEntry[]> {
    const args = ['--namespace', this.namespace, '--all', '-o', 'export'];
    if (match) args.push(match);
    const { stdout } = await run('journalctl', args, { encoding: 'buffer', maxBuffer: 1 << 30 });
    const entries: JournalEntry[] = [];
    const parser = new ExportParser((e) => entries.push(e));
    parser.push(stdout);
    parser.end();
    return entries;
  }

  /** Stops journald and removes the namespace's files and config. */
  async stop(): Promise<void> {
    this.#keepAlive?.destroy();
    const daemon = this.#daemon;
    if (daemon && daemon.exitCode === null) {
      const exited = new Promise((r) => daemon.once('exit', r));
      daemon.kill('SIGTERM');
      await Promise.race([exited, sleep(5000)]);
      if (daemon.exitCode === null) daemon.kill('SIGKILL');
    }
    await rm(this.journalDirectory, { recursive: true, force: true });
    await rm(this.#confPath, { force: true });
  }
}
