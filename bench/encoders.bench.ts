// Micro-bench of the destinations' key() and encode() over the bench's records (bench/journal-data.ts, the
// same containers and message mix as `npm run bench`), CPU us per record, as the pipeline hands each record to
// every destination in turn. Usage:
//   node bench/encoders.bench.ts [records=100000] [rounds=7] [destinations=cloudwatch,loggly,logdna,stdout]
// The records are normalized once; each round keys and encodes all of them. Median of the rounds (after one
// warm-up round). Batching and sending are left out (bench/record-path.bench.ts has CloudWatch's).
import type { LogRecord } from '../src/model/log-record.ts';
import { Normalizer } from '../src/normalize/normalizer.ts';
import { recordsOptionsSchema } from '../src/normalize/options.ts';
import type { Destination } from '../src/pipeline/destination.ts';
import { silentLogger } from '../src/selflog/logger.ts';
import { cloudwatchOptionsSchema } from '../adapters/cloudwatch/config.ts';
import { CloudWatchDestination } from '../adapters/cloudwatch/sink.ts';
import { logdnaOptionsSchema } from '../adapters/logdna/config.ts';
import { LogdnaDestination } from '../adapters/logdna/sink.ts';
import { logglyOptionsSchema } from '../adapters/loggly/config.ts';
import { LogglyDestination } from '../adapters/loggly/sink.ts';
import { stdoutOptionsSchema } from '../adapters/stdout/config.ts';
import { StdoutDestination } from '../adapters/stdout/sink.ts';
import { benchEntries } from './journal-data.ts';

const count = Number(process.argv[2] ?? 100_000);
const rounds = Number(process.argv[3] ?? 7);
const names = (process.argv[4] ?? 'cloudwatch,loggly,logdna,stdout').split(',');

function makeRecords(n: number): LogRecord[] {
  const normalizer = new Normalizer(recordsOptionsSchema.parse({}), 'bench-host');
  const out: LogRecord[] = [];
  const emit = (r: LogRecord): void => void out.push(r);
  for (const entry of benchEntries(n)) normalizer.push(entry, emit);
  normalizer.flushAll(emit);
  return out;
}

const context = (id: string) => ({ id, host: 'bench-host', logger: silentLogger() });
const endpoint = 'http://127.0.0.1:9';
const all: Record<string, () => Destination> = {
  cloudwatch: () => new CloudWatchDestination(cloudwatchOptionsSchema.parse({ type: 'cloudwatch', region: 'us-east-1', group: '/ecs/{service}', stream: '{stream}', endpoint, healthcheck: false }), context('cloudwatch')),
  loggly: () => new LogglyDestination(logglyOptionsSchema.parse({ type: 'loggly', token: 'bench', endpoint, tags: ['{service}'], healthcheck: false }), context('loggly')),
  logdna: () => new LogdnaDestination(logdnaOptionsSchema.parse({ type: 'logdna', key: 'bench', endpoint, healthcheck: false }), context('logdna')),
  stdout: () => new StdoutDestination(stdoutOptionsSchema.parse({ type: 'stdout', format: 'json' }), context('stdout')),
};
const destinations = names.map((name) => {
  const make = all[name];
  if (!make) throw new Error(`unknown destination "${name}": use ${Object.keys(all).join(', ')}`);
  return make();
});
const records = makeRecords(count);
const cpuUs = (): number => {
  const u = process.cpuUsage();
  return u.user + u.system;
};
let sink = 0;
const perRecord: number[] = [];
for (let round = 0; round <= rounds; round++) {
  const t = cpuUs();
  for (const record of records) {
    for (const d of destinations) {
      sink += d.key(record).length;
      for (const e of d.encode(record)) sink += e.size;
    }
  }
  if (round > 0) perRecord.push((cpuUs() - t) / records.length);
}
const sorted = [...perRecord].sort((a, b) => a - b);
console.log(
  `key+encode ${names.join('+')}: median ${sorted[Math.floor(sorted.length / 2)]!.toFixed(2)} us/record of ${rounds} rounds ` +
    `(${perRecord.map((r) => r.toFixed(2)).join(' ')}), ${records.length} records, node ${process.version}${sink > 0 ? '' : ' (nothing encoded)'}`,
);
for (const d of destinations) await d.close();
