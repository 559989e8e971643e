// Shared set-up of the fan-out fault tests: a journald namespace, CloudWatch and Loggly stand-ins, a config.
import path from 'node:path';
import { startCloudWatchStandin, type CloudWatchStandin } from '../standins/cloudwatch/index.ts';
import { STANDIN_AWS_ENV as AWS_ENV } from '../standins/cloudwatch/credentials.ts';
import { startLogglyStandin, type LogglyStandin } from '../standins/loggly/index.ts';
import { startTcpSwitch, type TcpSwitch } from '../standins/tcp-switch.ts';
import { Daemon, workDir, writeConfig } from '../helpers/daemon.ts';
import { TestJournal, type TestEntry } from '../helpers/journald.ts';

/** Full counts under `npm run test:soak` (JF_SOAK=1); scaled down in CI. */
export const SOAK = process.env.JF_SOAK === '1';
export const CONTAINERS = 20;

export interface Fanout {
  journal: TestJournal;
  cloudwatch: CloudWatchStandin;
  cwSwitch: TcpSwitch;
  loggly: LogglyStandin;
  configFile: string;
  stateDir: string;
  start(): Daemon;
  close(): Promise<void>;
}

export async function startFanout(pipeline: Record<string, unknown> = {}, options: { logglyToken?: string } = {}): Promise<Fanout> {
  const journal = await TestJournal.start();
  const cloudwatch = await startCloudWatchStandin();
  const cwSwitch = await startTcpSwitch(cloudwatch.endpoint);
  const loggly = await startLogglyStandin();
  const dir = await workDir();
  const stateDir = path.join(dir, 'state');
  const configFile = await writeConfig(dir, {
    journal: { namespace: journal.namespace, start: 'head', matches: ['SYSLOG_IDENTIFIER=jf-fault'] },
    state: { directory: stateDir },
    records: { stream: '{container.id}' },
    pipeline: { checkpoint_interval: '100ms', ...pipeline },
    destinations: [
      { type: 'cloudwatch', region: 'us-east-1', endpoint: cwSwitch.endpoint, group: 'faults', stream: '{stream}', flush_interval: '200ms' },
      { type: 'loggly', endpoint: loggly.endpoint, token: options.logglyToken ?? loggly.token, tags: ['faults'], flush_interval: '200ms' },
      { type: 'stdout', format: 'text' },
    ],
    metrics: { listen: null },
    log: { level: 'info' },
  });
  return {
    journal,
    cloudwatch,
    cwSwitch,
    loggly,
    configFile,
    stateDir,
    start: () => new Daemon(['run', '--config', configFile], AWS_ENV),
    async close() {
      await journal.stop();
      await cwSwitch.close();
      await cloudwatch.close();
      await loggly.close();
    },
  };
}

export function containerId(i: number): string {
  return `c0ffee${String(i % CONTAINERS).padStart(6, '0')}`;
}

export function faultEntries(from: number, to: number): TestEntry[] {
  return Array.from({ length: to - from }, (_, k) => {
    const i = from + k;
    return { MESSAGE: `fault-${i}`, SYSLOG_IDENTIFIER: 'jf-fault', CONTAINER_ID: containerId(i), CONTAINER_NAME: `app-${i % CONTAINERS}`, PRIORITY: 6 };
  });
}

/** Messages CloudWatch stored, over every stream of the group (JSON lines: the record's `message`). */
export function cloudwatchMessages(cw: CloudWatchStandin): string[] {
  const out: string[] = [];
  for (const stream of cw.groups.get('faults')?.streams.values() ?? []) {
    for (const e of stream.events) out.push((JSON.parse(e.message) as { message: string }).message);
  }
  return out;
}

/** How many events CloudWatch stored, without parsing them: cheap enough to poll while the stand-in works. */
export function cloudwatchCount(cw: CloudWatchStandin): number {
  let n = 0;
  for (const stream of cw.groups.get('faults')?.streams.values() ?? []) n += stream.events.length;
  return n;
}

export function logglyMessages(loggly: LogglyStandin): string[] {
  return loggly.received.map((r) => (r.event as { message: string }).message);
}

/** Text lines of the stdout destination: `time level service/stream message`. */
export function stdoutMessages(text: string): string[] {
  return text
    .split('\n')
    .map((l) => l.slice(l.lastIndexOf(' ') + 1))
    .filter((m) => m.startsWith('fault-'));
}

/** Which of fault-from..fault-(to-1) are missing, and how many arrived more than once. */
export function tally(messages: string[], from: number, to: number): { missing: number[]; duplicates: number } {
  const counts = new Map<string, number>();
  for (const m of messages) counts.set(m, (counts.get(m) ?? 0) + 1);
  const missing: number[] = [];
  let duplicates = 0;
  for (let i = from; i < to; i++) {
    const c = counts.get(`fault-${i}`) ?? 0;
    if (c === 0) missing.push(i);
    else duplicates += c - 1;
  }
  return { missing, duplicates };
}

/** Peak resident memory of a process, from /proc (VmHWM), in MB. */
export async function peakRssMb(pid: number): Promise<number> {
  const { readFile } = await import('node:fs/promises');
  const status = await readFile(`/proc/${pid}/status`, 'utf8');
  const kb = Number(/VmHWM:\s+(\d+)/.exec(status)?.[1] ?? 0);
  return kb / 1024;
}
