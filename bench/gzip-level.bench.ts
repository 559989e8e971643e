// Micro-bench of the gzip level for the HTTP destinations' request bodies: CPU per MB of body and compression
// ratio at each level, on a Loggly bulk body made of the bench's own records (src/normalize + the Loggly
// encoder, 200 containers). Usage: node bench/gzip-level.bench.ts [body MB=2] [rounds=5]
import { gzipSync } from 'node:zlib';
import { encodeLogglyEvent } from '../adapters/loggly/encode.ts';
import { Normalizer } from '../src/normalize/index.ts';
import { recordsOptionsSchema } from '../src/normalize/options.ts';
import type { LogRecord } from '../src/model/log-record.ts';
import { seededRandom } from '../test/journal/export-bytes.ts';
import { makeContainers, makeMessage } from './journal-data.ts';

const bodyMb = Number(process.argv[2] ?? 2);
const rounds = Number(process.argv[3] ?? 5);
const containers = makeContainers();
const rand = seededRandom(42);
const normalizer = new Normalizer(recordsOptionsSchema.parse({}), 'ip-10-0-1-23.ec2.internal');
const records: LogRecord[] = [];
const start = Date.now() * 1000;
let bytes = 0;
for (let i = 0; bytes < bodyMb * 1e6; i++) {
  const r = rand();
  const c = containers[Math.floor(r * r * containers.length)]!;
  const { message, priority } = makeMessage(i, Math.floor(start / 1000) + i, rand);
  const fields = { MESSAGE: message, PRIORITY: priority, CONTAINER_ID: c.id, CONTAINER_ID_FULL: c.idFull, CONTAINER_NAME: c.name, IMAGE_NAME: c.image, SYSLOG_IDENTIFIER: c.id, _SYSTEMD_UNIT: 'docker.service', _PID: '812', _HOSTNAME: 'ip-10-0-1-23.ec2.internal' };
  normalizer.push({ cursor: `s=${i}`, realtimeUs: start + i * 100, monotonicUs: i * 100, bootId: 'b', seq: i + 1, fields }, (record) => {
    records.push(record);
    bytes += Buffer.byteLength(record.message) + 400;
  });
}
normalizer.flushAll((record) => records.push(record));
const body = Buffer.from(records.map((r) => encodeLogglyEvent(r, 'split')[0]!.data).join(''));
console.log(`body: ${(body.length / 1e6).toFixed(2)} MB of ${records.length} Loggly events; ${rounds} rounds, median`);
console.log('level  CPU ms per MB  compressed  ratio');
for (let level = 1; level <= 9; level++) {
  const times: number[] = [];
  let out = 0;
  for (let r = 0; r < rounds; r++) {
    const cpu = process.cpuUsage();
    out = gzipSync(body, { level }).length;
    const used = process.cpuUsage(cpu);
    times.push((used.user + used.system) / 1000 / (body.length / 1e6));
  }
  times.sort((a, b) => a - b);
  console.log(`${String(level).padStart(5)}  ${times[Math.floor(times.length / 2)]!.toFixed(2).padStart(13)}  ${(out / 1e6).toFixed(3).padStart(7)} MB  ${(body.length / out).toFixed(1).padStart(5)}x`);
}
