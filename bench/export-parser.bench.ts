// Micro-bench of ExportParser alone: entries/s and MB/s on a generated stream of Docker-like entries, fed in
// 64 KiB chunks as a pipe from journalctl delivers them. Usage:
//   node bench/export-parser.bench.ts [entries=500000] [rounds=5]

import { ExportParser } from '../src/journal/export-parser.ts';
import type { JournalEntry } from '../src/model/journal-entry.ts';
import { dockerEntryFields, encodeEntry, seededRandom } from '../test/journal/export-bytes.ts';

/** Node reads a pipe (journalctl's stdout) in chunks of at most 64 KiB. */
const CHUNK_BYTES = 64 * 1024;

const entryCount = Number(process.argv[2] ?? 500_000);
const rounds = Number(process.argv[3] ?? 5);

const generateStart = performance.now();
const rand = seededRandom(42);
const parts: Buffer[] = [];
for (let i = 1; i <= entryCount; i++) parts.push(encodeEntry(dockerEntryFields(i, rand)));
const stream = Buffer.concat(parts);
parts.length = 0;
const chunks: Buffer[] = [];
for (let p = 0; p < stream.length; p += CHUNK_BYTES) chunks.push(stream.subarray(p, p + CHUNK_BYTES));
console.log(
  `generated ${entryCount} entries, ${(stream.length / 1e6).toFixed(1)} MB (${Math.round(stream.length / entryCount)} B/entry), ` +
    `${chunks.length} chunks of ${CHUNK_BYTES} B, in ${((performance.now() - generateStart) / 1000).toFixed(1)} s`,
);

let sink = 0;
function onEntry(entry: JournalEntry): void {
  const message = entry.fields['MESSAGE'];
  sink += typeof message === 'string' ? message.length : 1;
}

const results: number[] = [];
const cpuResults: number[] = [];
for (let round = 1; round <= rounds; round++) {
  let count = 0;
  const parser = new ExportParser((entry) => {
    count++;
    onEntry(entry);
  });
  const cpuStart = process.cpuUsage();
  const start = performance.now();
  for (const chunk of chunks) parser.push(chunk);
  parser.end();
  const seconds = (performance.now() - start) / 1000;
  const cpu = process.cpuUsage(cpuStart);
  if (count !== entryCount) throw new Error(`parsed ${count} entries, expected ${entryCount}`);
  results.push(count / seconds);
  cpuResults.push(count / ((cpu.user + cpu.system) / 1e6));
  console.log(
    `round ${round}: ${(count / seconds / 1000).toFixed(0)}k entries/s, ${(stream.length / seconds / 1e6).toFixed(0)} MB/s, ` +
      `${seconds.toFixed(2)} s wall, ${((cpu.user + cpu.system) / 1e6).toFixed(2)} s CPU, ` +
      `heap ${(process.memoryUsage().heapUsed / 1e6).toFixed(0)} MB`,
  );
}
const median = (values: number[]): number => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)]!;
const wall = median(results);
const perCpu = median(cpuResults);
// Per CPU second as well: on a shared machine wall time includes waiting for a core.
console.log(
  `median ${(wall / 1000).toFixed(0)}k entries/s = ${((wall * stream.length) / entryCount / 1e6).toFixed(0)} MB/s wall ` +
    `(${(1e6 / wall).toFixed(2)} us/entry); ${(perCpu / 1000).toFixed(0)}k entries per CPU second; checksum ${sink}`,
);
