// Sends syslog lines to the proxy as Docker's syslog driver formats them, from its own process (so its CPU is
// not charged to the proxy): `node bench/proxy-sender.ts '<transport JSON>' COUNT RATE CONTAINERS`.
// RATE 0 sends as fast as the proxy takes them; otherwise RATE lines/s, paced every millisecond (so lines arrive
// spread out, as from many containers, not in bursts). Prints
// {"sent":N,"seconds":S} on stdout when done.
import { readFileSync } from 'node:fs';
import { setTimeout as sleep } from 'node:timers/promises';
import { dockerSyslogMessage, SyslogSender, type Transport } from '../test/helpers/syslog-client.ts';

const [transportJson, countArg, rateArg, containersArg] = process.argv.slice(2);
const spec = JSON.parse(transportJson!) as Transport & { tlsDir?: string };
const COUNT = Number(countArg);
const RATE = Number(rateArg);
const CONTAINERS = Number(containersArg);
/** Stream transports: Docker has one connection per container; this many carry the containers between them. */
const STREAM_CONNECTIONS = Math.min(CONTAINERS, 20);
/** Stream transports: lines of one connection written together (the proxy reads what arrives, whatever the writes). */
const COALESCE_BYTES = 16 * 1024;

const transport: Transport =
  spec.scheme === 'tcp+tls'
    ? { ...spec, ca: readFileSync(`${spec.tlsDir}/ca.pem`), cert: readFileSync(`${spec.tlsDir}/client.pem`), key: readFileSync(`${spec.tlsDir}/client.key`) }
    : spec;

export const benchTag = (c: number) => (0xb000_0000_0000 + c).toString(16);

/** A mix of what containers log: JSON, logfmt, plain text; 80-200 bytes. */
function line(i: number): string {
  switch (i % 3) {
    case 0:
      return `{"level":"info","msg":"request handled","method":"GET","path":"/api/v1/items/${i}","status":200,"duration_ms":${(i % 997) / 10},"request_id":"${(i * 2654435761) >>> 0}"}`;
    case 1:
      return `level=info msg="cache miss" key=item:${i} shard=${i % 16} took=${i % 50}ms`;
    default:
      return `2026-11-24 10:00:00.123 WARN [worker-${i % 8}] retrying job ${i} after timeout (attempt ${1 + (i % 3)})`;
  }
}

const isStream = transport.scheme === 'unix' || transport.scheme === 'tcp' || transport.scheme === 'tcp+tls';
const senders = await Promise.all(Array.from({ length: isStream ? STREAM_CONNECTIONS : 1 }, () => SyslogSender.connect(transport, 'unix')));
const pending: Buffer[][] = senders.map(() => []);
const pendingBytes = senders.map(() => 0);

async function flush(k: number): Promise<void> {
  if (pending[k]!.length === 0) return;
  const data = Buffer.concat(pending[k]!);
  pending[k] = [];
  pendingBytes[k] = 0;
  await senders[k]!.send(data);
}

async function send(i: number): Promise<void> {
  const c = i % CONTAINERS;
  const message = dockerSyslogMessage(line(i), { format: 'unix', tag: benchTag(c), stream: i % 10 === 0 ? 'stderr' : 'stdout' });
  if (!isStream) return senders[0]!.send(message);
  const k = c % senders.length;
  pending[k]!.push(message);
  pendingBytes[k]! += message.length;
  if (pendingBytes[k]! >= COALESCE_BYTES || RATE > 0) await flush(k);
}

const started = performance.now();
let sent = 0;
while (sent < COUNT) {
  const due = RATE > 0 ? Math.min(COUNT, Math.floor(((performance.now() - started) / 1000) * RATE)) : COUNT;
  while (sent < due) await send(sent++);
  if (RATE > 0 && sent < COUNT) await sleep(1);
}
for (let k = 0; k < senders.length; k++) await flush(k);
const seconds = (performance.now() - started) / 1000;
await Promise.all(senders.map((s) => s.close()));
process.stdout.write(JSON.stringify({ sent, seconds }) + '\n');
