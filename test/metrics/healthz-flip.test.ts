// /healthz over HTTP with a real journald namespace and Pipeline: 200, then 503 while a destination stalls, then 200.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { validateConfig } from '../../src/config/load.ts';
import { DaemonMetrics, MetricsServer } from '../../src/metrics/index.ts';
import { ALL_ACCEPTED } from '../../src/pipeline/destination.ts';
import { Pipeline } from '../../src/pipeline/pipeline.ts';
import { silentLogger } from '../../src/selflog/logger.ts';
import { TestJournal } from '../helpers/journald.ts';
import { get, MemoryDestination, sample, until } from './helpers.ts';

const ID = 'jf-healthz';
const WINDOW_MS = 400;
const entries = (from: number, n: number) => Array.from({ length: n }, (_, i) => ({ MESSAGE: `h-${from + i}`, SYSLOG_IDENTIFIER: ID }));

describe('/healthz follows a stalling destination', { timeout: 90_000 }, () => {
  let journal: TestJournal;
  let pipeline: Pipeline;
  let running: Promise<void>;
  let server: MetricsServer;
  let port: number;
  let gate: Promise<void> | undefined;
  let open: () => void = () => {};
  const steady = new MemoryDestination('steady');
  const flaky = new MemoryDestination('flaky', async () => {
    await gate;
    return ALL_ACCEPTED;
  });
  const health = async () => {
    const res = await get(port, '/healthz');
    return { status: res.status, body: JSON.parse(res.body) as { reason: string; status: string } };
  };

  before(async () => {
    journal = await TestJournal.start('jfh');
    const config = validateConfig(
      {
        journal: { namespace: journal.namespace, start: 'head', matches: [`SYSLOG_IDENTIFIER=${ID}`] },
        records: { multiline: { enabled: false } },
        destinations: [{ type: 'stdout' }],
      },
      undefined,
      {},
    );
    const metrics = new DaemonMetrics({ bufferRecords: 1000, bufferBytes: 1_000_000, processMetrics: false, healthWindowMs: WINDOW_MS });
    pipeline = new Pipeline({ config, destinations: [steady, flaky], checkpoints: null, host: 'testhost', logger: silentLogger(), counters: metrics.pipelineCounters() });
    metrics.observe(() => pipeline.status());
    server = new MetricsServer(metrics, silentLogger());
    port = (await server.listen('127.0.0.1:0')).port;
    running = pipeline.run({ follow: true });
  });

  after(async () => {
    open();
    pipeline.stop();
    await running;
    await server.close();
    await journal.stop();
  });

  test('healthy while both destinations keep up', async () => {
    await journal.send(entries(0, 10));
    await until(() => steady.accepted.length === 10 && flaky.accepted.length === 10, 'both destinations to take 10 records');
    const h = await health();
    assert.equal(h.status, 200, h.body.reason);
    assert.equal(h.body.status, 'ok');
  });

  test('503 naming the destination once it has stalled longer than the window', async () => {
    gate = new Promise((resolve) => (open = resolve));
    await journal.send(entries(10, 10));
    await until(() => steady.accepted.length === 20, 'the steady destination to take the 10 new records');
    await until(async () => (await health()).status === 503, '/healthz to answer 503');
    const h = await health();
    assert.equal(h.body.status, 'unhealthy');
    assert.match(h.body.reason, /^destination flaky \(memory\) has 10 entries pending and acknowledged nothing for \d+(\.\d)? s/);
    assert.doesNotMatch(h.body.reason, /steady/);
    const text = (await get(port, '/metrics')).body;
    assert.equal(sample(text, 'journal_fanout_healthy'), 0);
    assert.equal(sample(text, 'journal_fanout_destination_checkpoint_lag_entries', { destination: 'flaky' }), 10);
    assert.equal(sample(text, 'journal_fanout_destination_checkpoint_lag_entries', { destination: 'steady' }), 0);
    assert.equal(sample(text, 'journal_fanout_destination_buffered_records', { destination: 'flaky' }), 10);
    assert.equal(sample(text, 'journal_fanout_destination_buffer_fill_ratio', { destination: 'flaky' }), 10 / 1000);
  });

  test('back to 200 once the destination acknowledges again', async () => {
    open();
    await until(() => flaky.accepted.length === 20, 'the flaky destination to take the held records');
    await until(async () => (await health()).status === 200, '/healthz to answer 200 again');
    const text = (await get(port, '/metrics')).body;
    assert.equal(sample(text, 'journal_fanout_healthy'), 1);
    assert.equal(sample(text, 'journal_fanout_destination_checkpoint_lag_entries', { destination: 'flaky' }), 0);
    assert.equal(sample(text, 'journal_fanout_journal_entries_read_total'), 20);
    assert.equal(sample(text, 'journal_fanout_destination_sent_events_total', { destination: 'flaky' }), 20);
  });
});
