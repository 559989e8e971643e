// /metrics after a real Pipeline run over a journal directory: every counter and gauge holds the expected number.
import assert from 'node:assert/strict';
import { rm } from 'node:fs/promises';
import { after, before, describe, test } from 'node:test';
import { validateConfig } from '../../src/config/load.ts';
import { DaemonMetrics, MetricsServer } from '../../src/metrics/index.ts';
import { ALL_ACCEPTED } from '../../src/pipeline/destination.ts';
import { Pipeline } from '../../src/pipeline/pipeline.ts';
import { silentLogger } from '../../src/selflog/logger.ts';
import { makeJournalDirectory, type OfflineEntry } from '../helpers/journal-files.ts';
import { get, MemoryDestination, sample, ScriptedFailure } from './helpers.ts';

const BOOT = '0123456789abcdef0123456789abcdef';
const T0 = Date.now() * 1000 - 60_000_000;

function containerEntries(name: string, id: string, n: number, offset: number): OfflineEntry[] {
  return Array.from({ length: n }, (_, i) => ({
    message: `${name} line ${i}`,
    bootId: BOOT,
    realtimeUs: T0 + (offset + i) * 1000,
    monotonicUs: 1_000_000 + (offset + i) * 1000,
    fields: { CONTAINER_NAME: name, CONTAINER_ID: id, CONTAINER_ID_FULL: id.padEnd(64, '0') },
  }));
}

describe('metrics after a pipeline run', { timeout: 60_000 }, () => {
  let dir: string;
  let server: MetricsServer;
  let port: number;
  let text: string;
  const good = new MemoryDestination('good');
  // First request: a retryable failure; second: 2 events refused for good; then everything accepted.
  const picky = new MemoryDestination('picky', (call) => {
    if (call === 1) throw new ScriptedFailure('retry', 'HTTP 503 from the test endpoint');
    if (call === 2) return { rejected: [{ count: 2, reason: 'events older than 14 days' }] };
    return ALL_ACCEPTED;
  });
  const broken = new MemoryDestination('broken', () => {
    throw new ScriptedFailure('fatal', 'the test endpoint refused the credentials');
  });
  const metrics = new DaemonMetrics({ bufferRecords: 1000, bufferBytes: 1_000_000, processMetrics: false, build: { version: '9.9.9', revision: 'abc123', node: 'v24.0.0' } });

  before(async () => {
    // alpha logs 60 entries against a burst of 30: 30 pass, 30 are dropped; beta's 20 all pass.
    dir = await makeJournalDirectory([...containerEntries('alpha', 'aaaaaaaaaaaa', 60, 0), ...containerEntries('beta', 'bbbbbbbbbbbb', 20, 60)]);
    const config = validateConfig(
      {
        journal: { directory: dir, start: 'head' },
        records: { multiline: { enabled: false } },
        rate_limit: { interval: '1h', burst: 30 },
        destinations: [{ type: 'stdout' }],
      },
      undefined,
      {},
    );
    const pipeline = new Pipeline({ config, destinations: [good, picky, broken], checkpoints: null, host: 'testhost', logger: silentLogger(), counters: metrics.pipelineCounters() });
    metrics.observe(() => pipeline.status());
    server = new MetricsServer(metrics, silentLogger());
    port = (await server.listen('127.0.0.1:0')).port;
    await pipeline.run({ follow: false });
    const res = await get(port, '/metrics');
    assert.equal(res.status, 200);
    assert.match(res.type, /^text\/plain; version=0\.0\.4/);
    text = res.body;
  });

  after(async () => {
    await server.close();
    await rm(dir, { recursive: true, force: true });
  });

  test('entries read and journalctl restarts', () => {
    assert.equal(sample(text, 'journal_fanout_journal_entries_read_total'), 80);
    assert.equal(sample(text, 'journal_fanout_journalctl_restarts_total'), 0);
  });

  test('rate-limit passes and drops, per service', () => {
    assert.equal(sample(text, 'journal_fanout_ratelimit_passed_records_total', { service: 'alpha' }), 30);
    assert.equal(sample(text, 'journal_fanout_ratelimit_dropped_records_total', { service: 'alpha' }), 30);
    assert.equal(sample(text, 'journal_fanout_ratelimit_passed_records_total', { service: 'beta' }), 20);
    assert.equal(sample(text, 'journal_fanout_ratelimit_dropped_records_total', { service: 'beta' }), undefined);
  });

  test('events sent per destination: 50 records and 2 drop notices', () => {
    // 30 alpha + 20 beta records, plus alpha's "beginning to drop" and "dropped 30 messages" notices.
    assert.equal(good.accepted.length, 52);
    assert.equal(sample(text, 'journal_fanout_destination_sent_events_total', { destination: 'good' }), 52);
    assert.equal(sample(text, 'journal_fanout_destination_sent_events_total', { destination: 'picky' }), 50);
    const bytes = good.accepted.reduce((n, m) => n + Buffer.byteLength(m) + 10, 0);
    assert.equal(sample(text, 'journal_fanout_destination_sent_bytes_total', { destination: 'good' }), bytes);
    assert.equal(sample(text, 'journal_fanout_destination_sent_events_total', { destination: 'broken' }), undefined);
  });

  test('rejects and retries, by reason', () => {
    assert.equal(sample(text, 'journal_fanout_destination_rejected_events_total', { destination: 'picky', reason: 'events older than N days' }), 2);
    assert.equal(sample(text, 'journal_fanout_destination_retries_total', { destination: 'picky', reason: 'HTTP 503' }), 1);
  });

  test('batch sizes and request latency histograms count every request', () => {
    assert.equal(sample(text, 'journal_fanout_destination_batch_events_count', { destination: 'good' }), good.calls);
    assert.equal(sample(text, 'journal_fanout_destination_batch_events_sum', { destination: 'good' }), 52);
    assert.equal(sample(text, 'journal_fanout_destination_batch_events_bucket', { destination: 'good', le: '+Inf' }), good.calls);
    assert.equal(sample(text, 'journal_fanout_destination_request_duration_seconds_count', { destination: 'good', outcome: 'ok' }), good.calls);
    assert.equal(sample(text, 'journal_fanout_destination_request_duration_seconds_count', { destination: 'picky', outcome: 'retry' }), 1);
    assert.equal(sample(text, 'journal_fanout_destination_request_duration_seconds_count', { destination: 'picky', outcome: 'ok' }), picky.calls - 1);
    assert.equal(sample(text, 'journal_fanout_destination_request_duration_seconds_count', { destination: 'broken', outcome: 'fatal' }), 1);
  });

  test('status gauges: nothing buffered or pending, the broken destination marked failed', () => {
    for (const destination of ['good', 'picky']) {
      assert.equal(sample(text, 'journal_fanout_destination_buffered_records', { destination }), 0);
      assert.equal(sample(text, 'journal_fanout_destination_buffer_fill_ratio', { destination }), 0);
      assert.equal(sample(text, 'journal_fanout_destination_checkpoint_lag_entries', { destination }), 0);
      assert.equal(sample(text, 'journal_fanout_destination_checkpoint_lag_seconds', { destination }), 0);
      assert.equal(sample(text, 'journal_fanout_destination_failed', { destination, type: 'memory' }), 0);
      assert.equal(sample(text, 'journal_fanout_destination_attached', { destination }), 1);
    }
    assert.equal(sample(text, 'journal_fanout_destination_failed', { destination: 'broken', type: 'memory' }), 1);
    const newest = (T0 + 79 * 1000) / 1e6;
    assert.ok(Math.abs(sample(text, 'journal_fanout_journal_newest_entry_timestamp_seconds')! - newest) < 0.002);
    assert.equal(sample(text, 'journal_fanout_build_info', { version: '9.9.9', revision: 'abc123', node: 'v24.0.0' }), 1);
    assert.equal(sample(text, 'journal_fanout_healthy'), 0, 'a failed destination makes the daemon unhealthy');
  });

  test('/healthz answers 503 naming the failed destination', async () => {
    const res = await get(port, '/healthz');
    assert.equal(res.status, 503);
    assert.equal(res.type, 'application/json');
    const body = JSON.parse(res.body) as { status: string; reason: string; destinations: Array<{ id: string; healthy: boolean }> };
    assert.equal(body.status, 'unhealthy');
    assert.equal(body.reason, 'destination broken (memory) failed: the test endpoint refused the credentials');
    assert.deepEqual(body.destinations.map((d) => [d.id, d.healthy]), [['good', true], ['picky', true], ['broken', false]]);
  });
});
