// Runs the real `journal-fanout proxy` in front of a private journald namespace, with the Docker API stand-in,
// for the proxy's end-to-end tests (and the bench): start, find its ports, read its metrics, stop.
import { readdirSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { Daemon, workDir, writeConfig } from '../helpers/daemon.ts';
import { TestJournal } from '../helpers/journald.ts';
import type { Transport } from '../helpers/syslog-client.ts';
import { DockerStandin, type StandinContainer } from '../standins/docker/index.ts';

export const TLS_DIR = fileURLToPath(new URL('../fixtures/tls/', import.meta.url));
export const tlsFile = (name: string) => readFileSync(`${TLS_DIR}${name}`);

export interface HarnessOptions {
  /** Listener addresses; `{dir}` is replaced by the test's directory. TCP/UDP on port 0. */
  listen: string[];
  containers?: StandinContainer[];
  /** More keys of the proxy section (rate_limit, max_message_bytes...). */
  proxy?: Record<string, unknown>;
  /** No Docker API socket (docker_socket: null). */
  noDocker?: boolean;
  env?: NodeJS.ProcessEnv;
  /** The proxy's log.level (debug by default: tests read its logs). */
  logLevel?: string;
}

/** Pid of the journald of a namespace (tests stop it with SIGSTOP; the bench reads its CPU). */
export function journaldPid(namespace: string): number {
  for (const name of readdirSync('/proc')) {
    if (!/^\d+$/.test(name)) continue;
    try {
      const cmdline = readFileSync(`/proc/${name}/cmdline`, 'utf8').split('\0');
      if (cmdline[0]?.endsWith('systemd-journald') && cmdline[1] === namespace) return Number(name);
    } catch {
      // gone
    }
  }
  throw new Error(`no journald for namespace ${namespace}`);
}

export class ProxyHarness {
  readonly journal: TestJournal;
  readonly docker: DockerStandin | undefined;
  readonly daemon: Daemon;
  readonly dir: string;
  readonly metricsAddress: string;
  /** Configured address -> where to send. */
  readonly #targets: Map<string, Transport>;

  private constructor(journal: TestJournal, docker: DockerStandin | undefined, daemon: Daemon, dir: string, metricsAddress: string, targets: Map<string, Transport>) {
    this.journal = journal;
    this.docker = docker;
    this.daemon = daemon;
    this.dir = dir;
    this.metricsAddress = metricsAddress;
    this.#targets = targets;
  }

  static async start(o: HarnessOptions): Promise<ProxyHarness> {
    const journal = await TestJournal.start('jfp');
    const dir = await workDir();
    let docker: DockerStandin | undefined;
    try {
      docker = o.noDocker ? undefined : await DockerStandin.start(`${dir}/docker.sock`, o.containers ?? []);
      const listen = o.listen.map((l) => l.replaceAll('{dir}', dir));
      const file = await writeConfig(dir, {
        log: { level: o.logLevel ?? 'debug' },
        proxy: {
          listen,
          journal_socket: journal.socketPath,
          docker_socket: docker ? docker.socketPath : null,
          metrics_listen: '127.0.0.1:0',
          ...(listen.some((l) => l.startsWith('tcp+tls://')) ? { tls: { cert: `${TLS_DIR}server.pem`, key: `${TLS_DIR}server.key`, ca: `${TLS_DIR}ca.pem` } } : {}),
          ...o.proxy,
        },
      });
      const daemon = new Daemon(['proxy', '--config', file], o.env);
      await daemon.waitFor(() => daemon.logs().some((l) => l.msg === 'proxy listening'), 'the proxy to listen');
      const logs = daemon.logs();
      const metricsAddress = logs.find((l) => l.msg === 'serving /metrics and /healthz')!.listen as string;
      const listening = logs.find((l) => l.msg === 'proxy listening')!.listen as string[];
      const targets = new Map<string, Transport>();
      listen.forEach((url, i) => targets.set(url, transportOf(url, listening[i]!)));
      return new ProxyHarness(journal, docker, daemon, dir, metricsAddress, targets);
    } catch (error) {
      await docker?.close();
      await journal.stop();
      throw error;
    }
  }

  /** Where to send for the configured address `url` (with `{dir}` as given to start()). */
  target(url: string): Transport {
    const t = this.#targets.get(url.replaceAll('{dir}', this.dir));
    if (!t) throw new Error(`no listener ${url}`);
    return t;
  }

  async metrics(): Promise<string> {
    return (await fetch(`http://${this.metricsAddress}/metrics`)).text();
  }

  /** Value of one sample of /metrics (0 when absent): `metric{a="b"}` or a bare name. */
  async metric(sample: string): Promise<number> {
    const text = await this.metrics();
    const line = text.split('\n').find((l) => l.startsWith(sample + ' '));
    return line === undefined ? 0 : Number(line.slice(sample.length + 1));
  }

  async stop(): Promise<{ code: number | null; signal: NodeJS.Signals | null }> {
    try {
      return await this.daemon.stop();
    } finally {
      await this.docker?.close();
      await this.journal.stop();
    }
  }
}

function transportOf(url: string, listening: string): Transport {
  const port = Number(/\(port (\d+)\)$/.exec(listening)?.[1] ?? /:(\d+)$/.exec(url)?.[1]);
  const [scheme, rest] = url.split('://') as [string, string];
  if (scheme === 'unixgram' || scheme === 'unix') return { scheme, path: rest };
  const host = rest.slice(0, rest.lastIndexOf(':'));
  if (scheme === 'tcp+tls') return { scheme, host, port, ca: tlsFile('ca.pem'), cert: tlsFile('client.pem'), key: tlsFile('client.key') };
  return { scheme: scheme as 'udp' | 'tcp', host, port };
}
