// Bench of the forward destination: records/s and CPU per million records through the real DestinationRunner to
// an acking forward sink in a child process (its CPU is not counted), plain and gzipped; and the encoding alone
// against recordToJsonLine. Usage: node bench/forward.bench.ts [records=200000]
import { fork } from 'node:child_process';
import net from 'node:net';
import { decode, encode } from '@msgpack/msgpack';
import forward from '../adapters/forward/index.ts';
import { encodeRecordEntries } from '../adapters/forward/encode.ts';
import type { LogRecord } from '../src/model/log-record.ts';
import { recordToJsonLine } from '../src/normalize/encode.ts';
import { DestinationRunner } from '../src/pipeline/destination-runner.ts';
import { silentLogger } from '../src/selflog/logger.ts';
import { sampleRecord } from '../test/standins/sample-records.ts';

/**
 * End of the msgpack value at `at` in `b`, or -1 when `b` ends first. Reads what a PackedForward message holds
 * (arrays, maps, str, bin, ints, bools, nil); enough for the sink, which must not pay the stand-in's full decoding.
 */
function skip(b: Buffer, at: number): number {
  if (at >= b.length) return -1;
  const h = b[at]!;
  const need = (n: number) => (at + n <= b.length ? at + n : -1);
  const items = (count: number, from: number) => {
    let p = from;
    for (let i = 0; i < count && p !== -1; i++) p = skip(b, p);
    return p;
  };
  if (h <= 0x7f || h >= 0xe0 || h === 0xc0 || h === 0xc2 || h === 0xc3) return need(1);
  if ((h & 0xf0) === 0x80) return items((h & 0x0f) * 2, at + 1);
  if ((h & 0xf0) === 0x90) return items(h & 0x0f, at + 1);
  if ((h & 0xe0) === 0xa0) return need(1 + (h & 0x1f));
  const len = (size: number) => (at + 1 + size <= b.length ? (size === 1 ? b[at + 1]! : size === 2 ? b.readUInt16BE(at + 1) : b.readUInt32BE(at + 1)) : -1);
  switch (h) {
    case 0xc4: case 0xd9: { const n = len(1); return n < 0 ? -1 : need(2 + n); }
    case 0xc5: case 0xda: { const n = len(2); return n < 0 ? -1 : need(3 + n); }
    case 0xc6: case 0xdb: { const n = len(4); return n < 0 ? -1 : need(5 + n); }
    case 0xcc: case 0xd0: return need(2);
    case 0xcd: case 0xd1: return need(3);
    case 0xce: case 0xd2: case 0xca: return need(5);
    case 0xcf: case 0xd3: case 0xcb: case 0xd7: return need(9);
    case 0xde: { const n = len(2); return n < 0 ? -1 : items(n * 2, at + 3); }
    case 0xdf: { const n = len(4); return n < 0 ? -1 : items(n * 2, at + 5); }
    default: throw new Error(`unexpected msgpack byte 0x${h.toString(16)}`);
  }
}

if (process.argv[2] === 'server') {
  // An in_forward that finds message boundaries, counts entries from option.size and acks: the client's cost
  // is what is measured (the strict stand-in copies its buffer on every read, and would be the bottleneck).
  let entries = 0;
  const server = net.createServer((socket) => {
    let pending: Buffer = Buffer.alloc(0);
    socket.on('error', () => socket.destroy());
    socket.on('data', (chunk: Buffer) => {
      pending = pending.length === 0 ? chunk : Buffer.concat([pending, chunk]);
      for (;;) {
        const end = skip(pending, 0);
        if (end === -1) break;
        const [, , option] = decode(pending.subarray(0, end)) as [string, Uint8Array, { size: number; chunk?: string }];
        entries += option.size;
        if (option.chunk) socket.write(encode({ ack: option.chunk }));
        pending = pending.subarray(end);
      }
    });
  });
  server.listen(0, '127.0.0.1', () => process.send!({ port: (server.address() as net.AddressInfo).port }));
  setInterval(() => process.send!({ entries }), 100);
} else {
  const N = Number(process.argv[2] ?? 200_000);
  const server = fork(new URL(import.meta.url).pathname, ['server'], { stdio: 'inherit' });
  let received = 0;
  const port = await new Promise<number>((resolve) =>
    server.on('message', (m: { port?: number; entries?: number }) => {
      if (m.port !== undefined) resolve(m.port);
      if (m.entries !== undefined) received = m.entries;
    }),
  );

  // 200 containers of 20 services, one source object per container as the normalizer shares them; messages of
  // about 200 bytes with two fields.
  const sources = Array.from({ length: 200 }, (_, c) => sampleRecord(c, { services: 20 }).source);
  const records: LogRecord[] = Array.from({ length: N }, (_, i) => ({
    ...sampleRecord(i, { services: 20, message: `GET /api/v1/orders/${i} 200 ${'request handled in 12ms '.repeat(7)}` }),
    source: sources[i % 200]!,
  }));

  const rate = (n: number, ms: number) => Math.round(n / (ms / 1000)).toLocaleString('en-US');
  for (const [name, encode] of [
    ['recordToJsonLine', (r: LogRecord) => recordToJsonLine(r).length],
    ['forward entry (msgpack)', (r: LogRecord) => encodeRecordEntries(r, 1_048_576, 'split').length],
  ] as const) {
    // Three passes, the best reported: the first ones pay for the JIT (measured: 75,000 -> 515,000 records/s
    // from the first pass to the third of the msgpack encoder).
    let best = Infinity;
    for (let pass = 0; pass < 3; pass++) {
      const started = performance.now();
      for (const r of records) encode(r);
      best = Math.min(best, performance.now() - started);
    }
    console.log(`encode  ${name.padEnd(24)} ${rate(N, best)} records/s (best of 3 passes)`);
  }

  for (const compressed of ['none', 'gzip'] as const) {
    const options = forward.schema.parse({ type: 'forward', servers: [{ host: '127.0.0.1', port }], tag: 'bench.{service}', compressed, flush_interval: '100ms' });
    const destination = forward.create(options, { id: 'forward', host: 'bench', logger: silentLogger() });
    await destination.start();
    let done = 0;
    const runner = new DestinationRunner(destination, { logger: silentLogger(), onDone: () => done++ });
    const before = received;
    const cpu = process.cpuUsage();
    const started = performance.now();
    for (const r of records) {
      if (runner.full) await runner.whenNotFull();
      runner.push(r);
    }
    await runner.flush();
    const ms = performance.now() - started;
    const used = process.cpuUsage(cpu);
    while (received - before < N) await new Promise((r) => setTimeout(r, 20));
    const cpuS = (used.user + used.system) / 1e6;
    console.log(
      `send    compressed: ${compressed.padEnd(4)} ${rate(N, ms)} records/s acked, ${((cpuS / N) * 1e6).toFixed(1)} CPU s per million records (sender only); ` +
        `${done} acked, ${received - before} received`,
    );
    await runner.close();
  }
  server.kill();
}
