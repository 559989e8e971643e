// A fatal 403 on Loggly stops Loggly only: LogDNA and stdout, fed the same records, keep shipping and acknowledging.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Writable } from 'node:stream';
import loggly from '../../../adapters/loggly/index.ts';
import logdna from '../../../adapters/logdna/index.ts';
import { StdoutDestination } from '../../../adapters/stdout/sink.ts';
import type { LogRecord } from '../../../src/model/log-record.ts';
import type { Destination } from '../../../src/pipeline/destination.ts';
import { DestinationRunner } from '../../../src/pipeline/destination-runner.ts';
import { startLogdnaStandin } from '../../standins/logdna/index.ts';
import { startLogglyStandin } from '../../standins/loggly/index.ts';
import { capturedLogger, sampleRecord } from '../../standins/sample-records.ts';

test('Loggly answering 403 stops alone; LogDNA and stdout deliver every record; no secret in any log line', async () => {
  const TOKEN = 'loggly-token-isolation-secret';
  const KEY = 'logdna-key-isolation-secret';
  const logglyStandin = await startLogglyStandin({ token: TOKEN });
  const logdnaStandin = await startLogdnaStandin({ key: KEY });
  const { logger, lines } = capturedLogger();
  const printed: string[] = [];
  const out = new Writable({
    write(chunk: Buffer, _e, cb) {
      printed.push(...chunk.toString('utf8').split('\n').filter((l) => l !== ''));
      cb();
    },
  });
  const context = (id: string) => ({ id, host: 'host-a', logger: logger.child({ destination: id }) });
  const destinations: Destination[] = [
    loggly.create(loggly.schema.parse({ type: 'loggly', token: TOKEN, endpoint: logglyStandin.endpoint, flush_interval: '20ms' }), context('loggly')),
    logdna.create(logdna.schema.parse({ type: 'logdna', key: KEY, endpoint: logdnaStandin.endpoint, flush_interval: '20ms' }), context('logdna')),
    new StdoutDestination({ type: 'stdout', format: 'json' }, context('stdout'), out),
  ];
  logglyStandin.inject({ kind: 'status', status: 403, times: Infinity });
  const done = new Map<string, number>();
  const fatal = new Map<string, string>();
  const runners = destinations.map(
    (d) =>
      new DestinationRunner(d, {
        logger,
        onDone: () => done.set(d.id, (done.get(d.id) ?? 0) + 1),
        onFatal: (reason) => fatal.set(d.id, reason),
        backoff: { initialMs: 10, maxMs: 100 },
      }),
  );
  try {
    const records: LogRecord[] = Array.from({ length: 5000 }, (_, i) => sampleRecord(i));
    for (const r of records) for (const runner of runners) runner.push(r);
    await Promise.all(runners.map((r) => r.flush(30_000)));
    assert.match(fatal.get('loggly') ?? '', /HTTP 403/);
    assert.equal(fatal.size, 1);
    assert.equal(done.get('loggly'), undefined);
    assert.equal(done.get('logdna'), 5000);
    assert.equal(done.get('stdout'), 5000);
    assert.equal(logdnaStandin.received.length, 5000);
    assert.equal(printed.length, 5000);
    for (const line of lines) assert.ok(!line.includes(TOKEN) && !line.includes(KEY), `secret in: ${line}`);
  } finally {
    await Promise.all(runners.map((r) => r.close()));
    await logglyStandin.close();
    await logdnaStandin.close();
  }
});
