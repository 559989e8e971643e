// Child process of the bench: one journal reader alone over a journal directory, to the end; prints
// {"entries","seconds"} as JSON. Usage: node bench/reader-alone.ts DIRECTORY [journalctl|native]
import { openReader, type ReaderKind } from '../src/journal/open-reader.ts';
import { silentLogger } from '../src/selflog/logger.ts';

const directory = process.argv[2];
const kind = (process.argv[3] ?? 'journalctl') as ReaderKind;
if (!directory || (kind !== 'journalctl' && kind !== 'native')) throw new Error('usage: node bench/reader-alone.ts DIRECTORY [journalctl|native]');
const reader = openReader(kind, { journalctl: 'journalctl', namespace: null, directory, matches: [], from: { kind: 'head' }, follow: false }, silentLogger());
const started = performance.now();
let entries = 0;
let bytes = 0;
for await (const batch of reader.batches()) {
  entries += batch.length;
  // Touch each entry's message so the work is not only the reader's object creation.
  for (const entry of batch) {
    const m = entry.fields.MESSAGE;
    bytes += typeof m === 'string' ? m.length : 0;
  }
}
const main = process.threadCpuUsage();
process.stdout.write(JSON.stringify({ entries, seconds: (performance.now() - started) / 1000, messageChars: bytes, mainThreadCpuSeconds: (main.user + main.system) / 1e6 }) + "\n");
