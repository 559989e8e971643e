// A real syslog-ng for tests: own config, persist, pid and control files in a temp dir, listening on 127.0.0.1
// ports of its own, writing what it parsed (program, pid, severity, structured data...) as JSON lines.
import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { existsSync, readFileSync, statSync } from 'node:fs';
import { writeFile } from 'node:fs/promises';
import dgram from 'node:dgram';
import net from 'node:net';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { promisify } from 'node:util';
import { tempDir } from './temp-dir.ts';

const run = promisify(execFile);
const SYSLOG_NG = '/usr/sbin/syslog-ng';
/** Every syslog-ng a test starts is killed by `timeout` after this long, even if the test process dies. */
const MAX_LIFETIME_S = 600;
/** Killed when the test process exits, whatever the test did. */
const running = new Set<ChildProcess>();
process.once('exit', () => {
  for (const child of running) child.kill('SIGKILL');
});

/** What syslog-ng parsed from one message (its macros: $PROGRAM, $PID, $SEVERITY, $SDATA...). */
export interface ReceivedMessage {
  /** Which listener took it: tcp_octet, tcp_newline_5424, tcp_newline_3164, udp_5424, udp_3164, tls_octet, tls_mutual. */
  src: string;
  host: string;
  program: string;
  pid: string;
  msgid: string;
  facility: string;
  severity: string;
  /** STRUCTURED-DATA as syslog-ng writes it back ($SDATA). */
  sdata: string;
  msg: string;
  /** The message's own time, seconds since the epoch with milliseconds ($S_UNIXTIME). */
  stamp: string;
  /** Parsed SD params: element id -> name -> value (the last value when a name repeats). */
  _SDATA?: Record<string, Record<string, string>>;
}

/** A CA, a server certificate for 127.0.0.1/localhost, a client certificate, and an unrelated CA. Made with the openssl CLI. */
export interface TestPki {
  dir: string;
  caFile: string;
  serverCert: string;
  serverKey: string;
  clientCert: string;
  clientKey: string;
  otherCaFile: string;
}

export async function makeTestPki(): Promise<TestPki> {
  const dir = tempDir('jf-pki-');
  const f = (name: string) => path.join(dir, name);
  const openssl = (args: string[]) => run('openssl', args, { cwd: dir, timeout: 30_000 });
  const ec = ['-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes'];
  await openssl(['req', '-x509', ...ec, '-keyout', 'ca.key', '-out', 'ca.crt', '-days', '2', '-subj', '/CN=journal-fanout test CA']);
  await openssl(['req', '-x509', ...ec, '-keyout', 'other-ca.key', '-out', 'other-ca.crt', '-days', '2', '-subj', '/CN=unrelated test CA']);
  await writeFile(f('server.ext'), 'subjectAltName=IP:127.0.0.1,DNS:localhost\nextendedKeyUsage=serverAuth\n');
  await writeFile(f('client.ext'), 'extendedKeyUsage=clientAuth\n');
  for (const [name, cn] of [['server', 'localhost'], ['client', 'journal-fanout test client']] as const) {
    await openssl(['req', ...ec, '-keyout', `${name}.key`, '-out', `${name}.csr`, '-subj', `/CN=${cn}`]);
    await openssl(['x509', '-req', '-in', `${name}.csr`, '-CA', 'ca.crt', '-CAkey', 'ca.key', '-CAcreateserial', '-out', `${name}.crt`, '-days', '2', '-extfile', `${name}.ext`]);
  }
  return { dir, caFile: f('ca.crt'), serverCert: f('server.crt'), serverKey: f('server.key'), clientCert: f('client.crt'), clientKey: f('client.key'), otherCaFile: f('other-ca.crt') };
}

async function freeTcpPort(): Promise<number> {
  const server = net.createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as net.AddressInfo).port;
  await new Promise((resolve) => server.close(resolve));
  return port;
}

async function freeUdpPort(): Promise<number> {
  const socket = dgram.createSocket('udp4');
  await new Promise<void>((resolve) => socket.bind(0, '127.0.0.1', resolve));
  const port = socket.address().port;
  await new Promise<void>((resolve) => socket.close(resolve));
  return port;
}

export interface SyslogNgPorts {
  /** RFC 5424 (or RFC 3164) with RFC 6587 octet counting: syslog-ng's syslog() driver. */
  tcpOctet: number;
  /** Newline framing, parsed as RFC 5424 (network() with flags(syslog-protocol)). */
  tcpNewline5424: number;
  /** Newline framing, parsed as RFC 3164 (network()). */
  tcpNewline3164: number;
  udp5424: number;
  udp3164: number;
  /** TLS, octet counting; any client. */
  tls: number;
  /** TLS, octet counting; only clients with a certificate from the test CA. */
  tlsMutual: number;
}

const LISTENERS: Array<[keyof SyslogNgPorts, string]> = [
  ['tcpOctet', 'tcp_octet'],
  ['tcpNewline5424', 'tcp_newline_5424'],
  ['tcpNewline3164', 'tcp_newline_3164'],
  ['udp5424', 'udp_5424'],
  ['udp3164', 'udp_3164'],
  ['tls', 'tls_octet'],
  ['tlsMutual', 'tls_mutual'],
];

/** parsed: one JSON line of syslog-ng's macros per message; count: one "\n" per message (the bench's millions). */
export type SyslogNgOutput = 'parsed' | 'count';
const TEMPLATES: Record<SyslogNgOutput, string> = {
  parsed: '$(format-json --scope sdata src=${SOURCE} host=${HOST} program=${PROGRAM} pid=${PID} msgid=${MSGID} facility=${FACILITY} severity=${SEVERITY} sdata=${SDATA} msg=${MSG} stamp=${S_UNIXTIME})\\n',
  count: '\\n',
};

function config(dir: string, ports: SyslogNgPorts, pki: TestPki, maxMessageBytes: number, output: SyslogNgOutput): string {
  const out = path.join(dir, 'received.jsonl');
  const tlsServer = `key-file("${pki.serverKey}") cert-file("${pki.serverCert}")`;
  const sources: Record<keyof SyslogNgPorts, string> = {
    tcpOctet: `syslog(ip("127.0.0.1") port(${ports.tcpOctet}) transport("tcp") max-connections(100))`,
    tcpNewline5424: `network(ip("127.0.0.1") port(${ports.tcpNewline5424}) transport("tcp") flags(syslog-protocol) max-connections(100))`,
    tcpNewline3164: `network(ip("127.0.0.1") port(${ports.tcpNewline3164}) transport("tcp") max-connections(100))`,
    udp5424: `syslog(ip("127.0.0.1") port(${ports.udp5424}) transport("udp") so-rcvbuf(4194304))`,
    udp3164: `network(ip("127.0.0.1") port(${ports.udp3164}) transport("udp") so-rcvbuf(4194304))`,
    tls: `syslog(ip("127.0.0.1") port(${ports.tls}) transport("tls") max-connections(100) tls(${tlsServer} peer-verify(optional-untrusted)))`,
    tlsMutual: `syslog(ip("127.0.0.1") port(${ports.tlsMutual}) transport("tls") max-connections(100) tls(${tlsServer} ca-file("${pki.caFile}") peer-verify(required-trusted)))`,
  };
  return [
    '@version: 3.38',
    // keep-hostname/keep-timestamp: report what the sender wrote; UTC so that RFC 3164 times read as we wrote them.
    `options { keep-hostname(yes); chain-hostnames(no); use-dns(no); use-fqdn(no); dns-cache(no); stats-freq(0); flush-lines(0); keep-timestamp(yes); frac-digits(3); log-msg-size(${maxMessageBytes}); recv-time-zone("+00:00"); send-time-zone("+00:00"); };`,
    ...LISTENERS.map(([key, name]) => `source s_${name} { ${sources[key]}; };`),
    `destination d_out { file("${out}" template("${TEMPLATES[output]}")); };`,
    `log { ${LISTENERS.map(([, name]) => `source(s_${name});`).join(' ')} destination(d_out); };`,
    '',
  ].join('\n');
}

export class SyslogNg {
  readonly dir: string;
  readonly ports: SyslogNgPorts;
  readonly pki: TestPki;
  readonly outputFile: string;
  #child: ChildProcess | undefined;
  #stderr = '';
  #exited: Promise<void> = Promise.resolve();

  private constructor(dir: string, ports: SyslogNgPorts, pki: TestPki) {
    this.dir = dir;
    this.ports = ports;
    this.pki = pki;
    this.outputFile = path.join(dir, 'received.jsonl');
  }

  /** Starts syslog-ng with every listener; `maxMessageBytes` is its log-msg-size (default 1 MiB + framing room). */
  static async start(options: { pki?: TestPki; maxMessageBytes?: number; output?: SyslogNgOutput } = {}): Promise<SyslogNg> {
    const dir = tempDir('jf-syslog-ng-');
    const pki = options.pki ?? (await makeTestPki());
    const ports = {} as SyslogNgPorts;
    for (const [key] of LISTENERS) ports[key] = key.startsWith('udp') ? await freeUdpPort() : await freeTcpPort();
    await writeFile(path.join(dir, 'syslog-ng.conf'), config(dir, ports, pki, options.maxMessageBytes ?? 1_048_576 + 64, options.output ?? 'parsed'));
    const server = new SyslogNg(dir, ports, pki);
    await server.#spawn();
    return server;
  }

  get stderr(): string {
    return this.#stderr;
  }

  get running(): boolean {
    return this.#child !== undefined && this.#child.exitCode === null && this.#child.signalCode === null;
  }

  async #spawn(): Promise<void> {
    const f = (name: string) => path.join(this.dir, name);
    const args = [
      '-k', '5', String(MAX_LIFETIME_S), SYSLOG_NG,
      '--foreground', '--stderr', '--no-caps',
      `--cfgfile=${f('syslog-ng.conf')}`, `--persist-file=${f('syslog-ng.persist')}`, `--pidfile=${f('syslog-ng.pid')}`, `--control=${f('syslog-ng.ctl')}`,
    ];
    const child = spawn('timeout', args, { stdio: ['ignore', 'ignore', 'pipe'] });
    this.#child = child;
    running.add(child);
    child.once('exit', () => running.delete(child));
    child.stderr!.setEncoding('utf8');
    child.stderr!.on('data', (d: string) => (this.#stderr += d));
    this.#exited = new Promise((resolve) => child.once('exit', () => resolve()));
    const deadline = Date.now() + 15_000;
    while (!this.#stderr.includes('syslog-ng starting up')) {
      if (child.exitCode !== null) throw new Error(`syslog-ng exited (${child.exitCode}) at start:\n${this.#stderr}`);
      if (Date.now() > deadline) throw new Error(`syslog-ng did not start within 15 s:\n${this.#stderr}`);
      await sleep(20);
    }
  }

  /** Messages written so far, with output: 'count'. */
  count(): number {
    return existsSync(this.outputFile) ? statSync(this.outputFile).size : 0;
  }

  /** Every message written so far, in arrival order. */
  messages(): ReceivedMessage[] {
    if (!existsSync(this.outputFile)) return [];
    const lines = readFileSync(this.outputFile, 'utf8').split('\n');
    lines.pop();
    return lines.map((l) => JSON.parse(l) as ReceivedMessage);
  }

  /** Waits until `predicate` holds for the messages so far; throws with the count seen after `timeoutMs`. */
  async waitFor(predicate: (messages: ReceivedMessage[]) => boolean, what: string, timeoutMs = 30_000): Promise<ReceivedMessage[]> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const messages = this.messages();
      if (predicate(messages)) return messages;
      if (Date.now() > deadline) throw new Error(`syslog-ng: timed out waiting for ${what} (have ${messages.length} messages)\n${this.#stderr.slice(-2000)}`);
      await sleep(25);
    }
  }

  /** SIGTERM (syslog-ng flushes and exits), waiting for the exit. */
  async stop(): Promise<void> {
    if (!this.running) return;
    this.#child!.kill('SIGTERM');
    const timer = setTimeout(() => this.#child?.kill('SIGKILL'), 10_000);
    await this.#exited;
    clearTimeout(timer);
  }

  /** Stops and starts again on the same ports, appending to the same output file. */
  async restart(): Promise<void> {
    await this.stop();
    this.#stderr = '';
    await this.#spawn();
  }
}
