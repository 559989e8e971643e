// Child process of the bench: JournalReader (journalctl + ExportParser) alone over a journal directory, to the
// end; prints {"entries","seconds"} as JSON. Usage: node bench/reader-alone.ts DIRECTORY
import { JournalReader } from '../src/journal/journal-reader.ts';
import { silentLogger } from '../src/selflog/logger.ts';

const directory = process.argv[2];
if (!directory) throw new Error('usage: node bench/reader-alone.ts DIRECTORY');
const reader = new JournalReader({ journalctl: 'journalctl', namespace: null, directory, matches: [], from: { kind: 'head' }, follow: false }, silentLogger());
const started = performance.now();
let entries = 0;
let bytes = 0;
for await (const batch of reader.batches()) {
  entries += batch.length;
  // Touch each entry's message so the work is not only the parser's object creation.
  for (const entry of batch) {
    const m = entry.fields.MESSAGE;
    bytes += typeof m === 'string' ? m.length : 0;
  }
}
process.stdout.write(JSON.stringify({ entries, seconds: (performance.now() - started) / 1000, messageChars: bytes }) + '\n');
