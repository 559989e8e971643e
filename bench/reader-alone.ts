// Child process of the bench: one journal reader alone over a journal directory, to the end; prints
// {"entries","seconds","mainThreadCpuSeconds","code"} as JSON. Usage: node bench/reader-alone.ts DIRECTORY [journalctl|native]
// It runs the compiled copy in dist/ when that is up to date, as the daemon does (bin/journal-fanout.js): the
// native reader's worker thread then loads JavaScript, not TypeScript to strip.
import { existsSync, readdirSync, statSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import type { openReader as OpenReader, ReaderKind } from '../src/journal/open-reader.ts';
import type { silentLogger as SilentLogger } from '../src/selflog/logger.ts';

const directory = process.argv[2];
const kind = (process.argv[3] ?? 'journalctl') as ReaderKind;
if (!directory || (kind !== 'journalctl' && kind !== 'native')) throw new Error('usage: node bench/reader-alone.ts DIRECTORY [journalctl|native]');

const root = fileURLToPath(new URL('../', import.meta.url));
const newestSource = (dir: string) =>
  readdirSync(dir, { withFileTypes: true, recursive: true }).reduce((t, e) => (e.isFile() && e.name.endsWith('.ts') ? Math.max(t, statSync(`${e.parentPath}/${e.name}`).mtimeMs) : t), 0);
const compiled = `${root}dist/src/journal/open-reader.js`;
const code = existsSync(compiled) && statSync(compiled).mtimeMs >= newestSource(`${root}src`) ? 'dist' : 'src';
const ext = code === 'dist' ? 'js' : 'ts';
const base = code === 'dist' ? `${root}dist/src` : `${root}src`;
const { openReader } = (await import(`${base}/journal/open-reader.${ext}`)) as { openReader: typeof OpenReader };
const { silentLogger } = (await import(`${base}/selflog/logger.${ext}`)) as { silentLogger: typeof SilentLogger };

// BENCH_RELEASE_MAPPED=BYTES: the native reader drops its mapped journal pages every BYTES read (mapped-pages.ts); 0: never.
const release = process.env.BENCH_RELEASE_MAPPED === undefined ? {} : { releaseMappedBytes: Number(process.env.BENCH_RELEASE_MAPPED) || Infinity };
// BENCH_READER_FIELDS=normalizer: entries hold only the fields the normalizer reads (what the daemon asks the native reader for).
const fields =
  process.env.BENCH_READER_FIELDS === 'normalizer'
    ? { fields: ((await import(`${base}/normalize/read-fields.${ext}`)) as { NORMALIZER_FIELDS: ReadonlySet<string> }).NORMALIZER_FIELDS }
    : {};
const reader = openReader(kind, { journalctl: 'journalctl', namespace: null, directory, matches: [], from: { kind: 'head' }, follow: false, ...release, ...fields }, silentLogger());
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
process.stdout.write(JSON.stringify({ entries, seconds: (performance.now() - started) / 1000, messageChars: bytes, mainThreadCpuSeconds: (main.user + main.system) / 1e6, code }) + '\n');
