// Micro-bench of the per-entry path after the reader: normalizing the bench's entries (bench/journal-data.ts:
// the same containers and message mix as `npm run bench`) and encoding the records into CloudWatch batches
// (key, encodeRecord, EventBatch.add, the request bodies), CPU per entry of each, on one core. Usage:
//   node bench/record-path.bench.ts [entries=100000] [rounds=7]
// Entries go through in runs of 8,192 (the reader's batches), normalized then encoded, so that records die
// young as they do in the daemon. Medians of the rounds are reported.
import type { LogRecord } from '../src/model/log-record.ts';
import { Normalizer } from '../src/normalize/normalizer.ts';
import { recordsOptionsSchema } from '../src/normalize/options.ts';
import { silentLogger } from '../src/selflog/logger.ts';
import { cloudwatchOptionsSchema } from '../adapters/cloudwatch/config.ts';
import { EventBatch } from '../adapters/cloudwatch/event-batch.ts';
import { CloudWatchDestination } from '../adapters/cloudwatch/sink.ts';
import { benchEntries } from './journal-data.ts';

const entryCount = Number(process.argv[2] ?? 100_000);
const rounds = Number(process.argv[3] ?? 7);
/** The reader hands on entries in batches of up to this many (HIGH_WATER_ENTRIES). */
const RUN = 8192;
/** Events per batch before it is "sent" (the bench's backlog averaged about 100 per PutLogEvents). */
const BATCH_EVENTS = 100;


const entries = benchEntries(entryCount);
const destination = new CloudWatchDestination(
  cloudwatchOptionsSchema.parse({ type: 'cloudwatch', region: 'us-east-1', group: '/ecs/{service}', stream: '{stream}', endpoint: 'http://127.0.0.1:9', healthcheck: false }),
  { id: 'cw', host: 'bench-host', logger: silentLogger() },
);

function cpuMs(): number {
  const u = process.cpuUsage();
  return (u.user + u.system) / 1000;
}

let sink = 0;
function round(): { normalize: number; encode: number } {
  const normalizer = new Normalizer(recordsOptionsSchema.parse({}), 'bench-host');
  const batches = new Map<string, EventBatch>();
  const records: LogRecord[] = [];
  const emit = (r: LogRecord): void => void records.push(r);
  let normalize = 0;
  let encode = 0;
  for (let from = 0; from <= entries.length; from += RUN) {
    let t = cpuMs();
    const to = Math.min(from + RUN, entries.length);
    for (let i = from; i < to; i++) normalizer.push(entries[i]!, emit);
    if (to === entries.length) normalizer.flushAll(emit);
    const t1 = cpuMs();
    normalize += t1 - t;
    t = t1;
    for (const record of records) {
      const key = destination.key(record);
      let batch = batches.get(key);
      if (batch === undefined) batches.set(key, (batch = new EventBatch()));
      for (const event of destination.encode(record)) destination.batches.add(batch, event);
      if (batch.length >= BATCH_EVENTS) {
        const at = key.indexOf(':');
        for (const b of batch.bodies(key.slice(0, at), key.slice(at + 1))) sink += b.body.length;
        // As the runner does once a batch is sent: its segments serve the next batches (adapters/http/buffer-pool.ts).
        batch.release();
        batches.delete(key);
      }
    }
    encode += cpuMs() - t;
    records.length = 0;
  }
  return { normalize, encode };
}

const median = (values: number[]): number => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)]!;
round(); // warm-up
const norm: number[] = [];
const enc: number[] = [];
for (let r = 1; r <= rounds; r++) {
  const { normalize, encode } = round();
  norm.push((normalize * 1000) / entries.length);
  enc.push((encode * 1000) / entries.length);
  console.log(`round ${r}: normalize ${norm.at(-1)!.toFixed(2)} us/entry, CloudWatch encode+batch ${enc.at(-1)!.toFixed(2)} us/entry (CPU)`);
}
console.log(
  `median of ${rounds} rounds, ${entries.length} entries, node ${process.version}: normalize ${median(norm).toFixed(2)} us/entry, ` +
    `CloudWatch encode+batch ${median(enc).toFixed(2)} us/entry, together ${(median(norm) + median(enc)).toFixed(2)} us/entry (${sink > 0 ? 'bodies written' : ''})`,
);
destination.service.close();
