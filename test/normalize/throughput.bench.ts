// Normalizer throughput on the corpus, repeated to ~500k entries, on one core. Not a test: run it by hand,
//   node test/normalize/throughput.bench.ts [entries]
// and read the numbers; never assert on timing.
import type { JournalEntry } from '../../src/model/journal-entry.ts';
import type { LogRecord } from '../../src/model/log-record.ts';
import { recordToJsonLine } from '../../src/normalize/encode.ts';
import { Normalizer } from '../../src/normalize/normalizer.ts';
import { recordsOptionsSchema } from '../../src/normalize/options.ts';
import { caseEntries, loadCorpus } from './corpus-harness.ts';

const target = Number(process.argv[2] ?? 500_000);
const corpus = loadCorpus();
const base: JournalEntry[] = [];
for (const group of corpus.groups) for (const c of group.cases) base.push(...caseEntries(corpus, group, c));
const entries: JournalEntry[] = [];
for (let seq = 1; entries.length < target; ) {
  for (const e of base) entries.push({ ...e, seq, cursor: `s=${seq++}` });
}
const chars = base.reduce((n, e) => n + (typeof e.fields.MESSAGE === 'string' ? e.fields.MESSAGE.length : 0), 0);

function run(label: string, options: Record<string, unknown>, encode: boolean): void {
  const normalizer = new Normalizer(recordsOptionsSchema.parse(options), 'bench-host');
  let records = 0;
  let bytes = 0;
  const emit = encode ? (r: LogRecord) => { records++; bytes += recordToJsonLine(r).length; } : () => { records++; };
  const cpu0 = process.cpuUsage();
  const t0 = process.hrtime.bigint();
  for (const e of entries) normalizer.push(e, emit);
  normalizer.flushAll(emit);
  const ms = Number(process.hrtime.bigint() - t0) / 1e6;
  const cpu = process.cpuUsage(cpu0);
  const cpuMs = (cpu.user + cpu.system) / 1000;
  console.log(
    `${label.padEnd(34)} ${entries.length} entries -> ${records} records in ${ms.toFixed(0)} ms (cpu ${cpuMs.toFixed(0)} ms): ` +
      `${Math.round(entries.length / (ms / 1000)).toLocaleString('en')} entries/s, ${Math.round(records / (ms / 1000)).toLocaleString('en')} records/s` +
      (encode ? `, ${(bytes / 1e6).toFixed(0)} MB of JSON lines` : ''),
  );
}

console.log(`corpus: ${base.length} entries (${chars} chars of MESSAGE), repeated to ${entries.length}; node ${process.version}`);
run('warm-up', {}, false);
run('normalize (defaults)', {}, false);
run('normalize, multiline off', { multiline: { enabled: false } }, false);
run('normalize + recordToJsonLine', {}, true);
