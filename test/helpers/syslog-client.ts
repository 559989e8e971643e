// Sends lines to the proxy exactly as Docker's syslog log driver does (moby daemon/logger/syslog with
// github.com/RackSec/srslog), over each transport it supports. Used by the proxy tests and bench/proxy.bench.ts.
import dgram from 'node:dgram';
import net from 'node:net';
import tls from 'node:tls';
import { ERRNO } from '../../src/proxy/libc.ts';
import { UnixDatagramSocket } from '../../src/proxy/unix-datagram.ts';

/** Docker's `syslog-format` values; `unix` is the default (the option unset: srslog's UnixFormatter). */
export type DockerSyslogFormat = 'unix' | 'rfc3164' | 'rfc5424' | 'rfc5424micro';

const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];
const pad = (n: number, w = 2) => String(n).padStart(w, '0');

/** Go's time.Stamp ("Jan _2 15:04:05") in local time. */
function goStamp(d: Date): string {
  return `${MONTHS[d.getMonth()]} ${String(d.getDate()).padStart(2, ' ')} ${pad(d.getHours())}:${pad(d.getMinutes())}:${pad(d.getSeconds())}`;
}

/** Go's "2006-01-02T15:04:05Z07:00" (with `micro`: ".000000" after the seconds) in local time. */
function goRfc3339(d: Date, micro: boolean, microseconds = 0): string {
  const off = -d.getTimezoneOffset();
  const zone = off === 0 ? 'Z' : `${off > 0 ? '+' : '-'}${pad(Math.floor(Math.abs(off) / 60))}:${pad(Math.abs(off) % 60)}`;
  const frac = micro ? `.${pad(d.getMilliseconds(), 3)}${pad(microseconds, 3)}` : '';
  return `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())}T${pad(d.getHours())}:${pad(d.getMinutes())}:${pad(d.getSeconds())}${frac}${zone}`;
}

export interface DockerMessageOptions {
  format: DockerSyslogFormat;
  tag: string;
  hostname?: string;
  pid?: number;
  /** Docker's syslog-facility; daemon (3) by default. */
  facility?: number;
  /** stdout is sent at severity info (6), stderr at err (3): srslog Writer.Info / Writer.Err. */
  stream?: 'stdout' | 'stderr';
  now?: Date;
}

/** One message as srslog formats it, before framing: the line plus the "\n" srslog appends. */
export function dockerSyslogMessage(line: string | Buffer, o: DockerMessageOptions): Buffer {
  const pri = (o.facility ?? 3) * 8 + (o.stream === 'stderr' ? 3 : 6);
  const now = o.now ?? new Date();
  const host = o.hostname ?? 'docker-host';
  const pid = o.pid ?? 1234;
  let header: string;
  switch (o.format) {
    case 'unix':
      header = `<${pri}>${goStamp(now)} ${o.tag}[${pid}]: `;
      break;
    case 'rfc3164':
      header = `<${pri}>${goStamp(now)} ${host} ${o.tag}[${pid}]: `;
      break;
    case 'rfc5424':
      header = `<${pri}>1 ${goRfc3339(now, false)} ${host} ${o.tag} ${pid} ${o.tag} - `;
      break;
    case 'rfc5424micro':
      header = `<${pri}>1 ${goRfc3339(now, true, 123)} ${host} ${o.tag} ${pid} ${o.tag} - `;
      break;
  }
  const body = typeof line === 'string' ? Buffer.from(line) : line;
  const nl = body.length > 0 && body[body.length - 1] === 0x0a ? Buffer.alloc(0) : Buffer.from('\n');
  return Buffer.concat([Buffer.from(header), body, nl]);
}

/** srslog's RFC5425MessageLengthFramer: Docker uses it over tcp+tls with rfc5424 and rfc5424micro. */
export function octetFrame(message: Buffer): Buffer {
  return Buffer.concat([Buffer.from(`${message.length} `), message]);
}

export type Transport =
  | { scheme: 'unixgram'; path: string }
  | { scheme: 'unix'; path: string }
  | { scheme: 'udp'; host: string; port: number }
  | { scheme: 'tcp'; host: string; port: number }
  | { scheme: 'tcp+tls'; host: string; port: number; ca: Buffer; cert?: Buffer; key?: Buffer };

/** One Docker syslog-driver connection (Docker opens one per container). */
export class SyslogSender {
  readonly transport: Transport;
  readonly #octets: boolean;
  #dgram: UnixDatagramSocket | undefined;
  #udp: dgram.Socket | undefined;
  #stream: net.Socket | undefined;

  private constructor(transport: Transport, octets: boolean) {
    this.transport = transport;
    this.#octets = octets;
  }

  /** Connects; `format` decides the framing on tcp+tls, as moby's parseLogFormat does. */
  static async connect(transport: Transport, format: DockerSyslogFormat = 'rfc3164'): Promise<SyslogSender> {
    const sender = new SyslogSender(transport, transport.scheme === 'tcp+tls' && (format === 'rfc5424' || format === 'rfc5424micro'));
    if (transport.scheme === 'unixgram') sender.#dgram = UnixDatagramSocket.connect(transport.path);
    else if (transport.scheme === 'udp') {
      const s = dgram.createSocket(net.isIP(transport.host) === 6 ? 'udp6' : 'udp4');
      await new Promise<void>((resolve, reject) => {
        s.once('error', reject);
        s.connect(transport.port, transport.host, () => {
          s.off('error', reject);
          resolve();
        });
      });
      sender.#udp = s;
    } else {
      const socket =
        transport.scheme === 'tcp+tls'
          ? tls.connect({ host: transport.host, port: transport.port, ca: transport.ca, cert: transport.cert, key: transport.key, servername: 'localhost' })
          : transport.scheme === 'unix'
            ? net.connect(transport.path)
            : net.connect(transport.port, transport.host);
      await new Promise<void>((resolve, reject) => {
        socket.once(transport.scheme === 'tcp+tls' ? 'secureConnect' : 'connect', () => resolve());
        socket.once('error', reject);
      });
      socket.on('error', () => {});
      sender.#stream = socket;
    }
    return sender;
  }

  /** Sends one formatted message, waiting while the receiver pushes back. */
  async send(message: Buffer): Promise<void> {
    if (this.#dgram) {
      for (;;) {
        const errno = this.#dgram.send(message);
        if (errno === 0) return;
        if (errno !== ERRNO.EAGAIN) throw new Error(`send to ${this.transport.scheme} failed: errno ${errno}`);
        await this.#dgram.writable();
      }
    }
    if (this.#udp) {
      const udp = this.#udp;
      await new Promise<void>((resolve, reject) => udp.send(message, (e) => (e ? reject(e) : resolve())));
      return;
    }
    const data = this.#octets ? octetFrame(message) : message;
    if (!this.#stream!.write(data)) await new Promise((r) => this.#stream!.once('drain', r));
  }

  /** Sends raw bytes on a stream transport as they are (to split a message at any point). */
  async sendRaw(bytes: Buffer): Promise<void> {
    if (!this.#stream!.write(bytes)) await new Promise((r) => this.#stream!.once('drain', r));
  }

  async close(): Promise<void> {
    this.#dgram?.close();
    if (this.#udp) await new Promise<void>((r) => this.#udp!.close(() => r()));
    if (this.#stream) {
      const s = this.#stream;
      if (s.closed) return;
      await new Promise<void>((r) => {
        s.once('close', () => r());
        s.end();
      });
    }
  }
}
