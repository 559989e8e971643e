// The Loggly destination against its stand-in: send/start/classify directly, then through the DestinationRunner.
import { after, before, beforeEach, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import loggly from '../../../adapters/loggly/index.ts';
import { LOGGLY_MAX_BATCH_BYTES, logglyOptionsSchema } from '../../../adapters/loggly/config.ts';
import { encodeLogglyEvent } from '../../../adapters/loggly/encode.ts';
import { DestinationError } from '../../../src/model/errors.ts';
import type { LogRecord } from '../../../src/model/log-record.ts';
import type { Destination } from '../../../src/pipeline/destination.ts';
import { startLogglyStandin, type LogglyStandin } from '../../standins/loggly/index.ts';
import { runDestination } from '../../helpers/run-destination.ts';
import { capturedLogger, sampleRecord, SAMPLE_TIME } from '../../standins/sample-records.ts';

const TOKEN = 'a1b2c3d4-e5f6-4711-8888-loggly-secret';
let standin: LogglyStandin;
let logs: string[];

function make(extra: Record<string, unknown> = {}, token = TOKEN): Destination<string> {
  const captured = capturedLogger();
  logs = captured.lines;
  const options = logglyOptionsSchema.parse({ type: 'loggly', token, endpoint: standin.endpoint, tags: ['{service}', 'prod'], flush_interval: '50ms', ...extra });
  return loggly.create(options, { id: 'loggly', host: 'host-a', logger: captured.logger }) as Destination<string>;
}

const run = runDestination;

function assertNoToken(lines: readonly string[]) {
  for (const line of lines) assert.ok(!line.includes(TOKEN), `a log line holds the token: ${line}`);
}

before(async () => {
  standin = await startLogglyStandin({ token: TOKEN });
});
after(async () => {
  await standin.close();
});
beforeEach(() => {
  standin.received.length = 0;
  standin.violations.length = 0;
  standin.clearFaults();
  for (const k of Object.keys(standin.counters.byStatus)) delete standin.counters.byStatus[Number(k)];
  standin.counters.requests = standin.counters.accepted = standin.counters.events = standin.counters.maxBodyBytes = 0;
});

describe('loggly: options', () => {
  test('defaults: Loggly\'s public endpoint, {service} tag, 5 MB batches; the token is the secret key', () => {
    const o = logglyOptionsSchema.parse({ type: 'loggly', token: 't' });
    assert.equal(o.endpoint, 'https://logs-01.loggly.com');
    assert.deepEqual(o.tags, ['{service}']);
    assert.equal(o.max_batch_bytes, LOGGLY_MAX_BATCH_BYTES);
    assert.equal(o.flush_interval, 1000);
    assert.deepEqual(loggly.secretKeys, ['token']);
  });
  test('max_batch_bytes over Loggly\'s 5 MB limit is refused, naming the limit; unknown keys are refused', () => {
    const r = logglyOptionsSchema.safeParse({ type: 'loggly', token: 't', max_batch_bytes: 6_000_000 });
    assert.equal(r.success, false);
    assert.match(JSON.stringify(r.error?.issues), /5 MB bulk limit/);
    assert.equal(logglyOptionsSchema.safeParse({ type: 'loggly', token: 't', tokn: 'x' }).success, false);
  });
  test('every option has a description (the docs are generated from them)', () => {
    for (const [name, schema] of Object.entries(logglyOptionsSchema.shape)) {
      if (name === 'type') continue;
      assert.ok((schema as { description?: string }).description, `${name} has no description`);
    }
  });
});

describe('loggly: direct send', () => {
  test('start() passes the healthcheck; send() posts to /bulk/{token}/tag/{tags}/ and the events arrive', async () => {
    const d = make();
    try {
      await d.start();
      const records = [sampleRecord(0), sampleRecord(4)];
      const key = d.key(records[0]!);
      assert.equal(key, 'svc-0,prod');
      const result = await d.send(key, records.flatMap((r) => d.encode(r).map((e) => e.data)), new AbortController().signal);
      assert.deepEqual(result.rejected, []);
      assert.equal(standin.received.length, 2);
      assert.deepEqual(standin.received[0]!.tags, ['svc-0', 'prod']);
      const event = standin.received[1]!.event as Record<string, unknown>;
      assert.equal(event.timestamp, new Date(SAMPLE_TIME + 4).toISOString());
      assert.equal(event.message, 'message 4');
      assert.deepEqual(standin.violations, []);
      assertNoToken(logs);
    } finally {
      await d.close();
    }
  });

  test('gzip bodies arrive the same', async () => {
    const d = make({ gzip: true });
    try {
      await d.send('svc-1,prod', d.encode(sampleRecord(1)).map((e) => e.data), new AbortController().signal);
      assert.equal((standin.received[0]!.event as { message: string }).message, 'message 1');
    } finally {
      await d.close();
    }
  });

  test('a bad token: start() fails with a clear error that never holds the token; classify says fatal', async () => {
    const bad = `${TOKEN}-wrong`;
    const d = make({}, bad);
    try {
      const error = await d.start().then(() => undefined, (e: unknown) => e);
      assert.ok(error instanceof DestinationError);
      assert.match(error.message, /HTTP 403/);
      assert.match(error.message, /check the destination's "token" option/);
      assert.ok(!error.message.includes(bad) && !error.message.includes(TOKEN));
      assert.ok(!JSON.stringify(error).includes(TOKEN));
      assert.equal(error.cause, undefined);
      assert.equal(d.classify(error).action, 'fatal');
      const sendError = await d.send('svc-0', d.encode(sampleRecord(0)).map((e) => e.data), new AbortController().signal).then(() => undefined, (e: unknown) => e);
      assert.equal(d.classify(sendError).action, 'fatal');
    } finally {
      await d.close();
    }
  });

  test('an aborted request (the runner\'s timeout or shutdown) rejects at once, retryable', async () => {
    const d = make();
    standin.inject({ kind: 'latency', ms: 2000 });
    try {
      const controller = new AbortController();
      setTimeout(() => controller.abort(new Error('request timed out')), 50);
      const started = Date.now();
      const error = await d.send('x', ['{}\n'], controller.signal).then(() => undefined, (e: unknown) => e);
      assert.ok(Date.now() - started < 1500, 'the abort did not wait for the answer');
      assert.ok(error instanceof DestinationError);
      assert.equal(d.classify(error).action, 'retry');
      assert.ok(!error.message.includes(TOKEN));
    } finally {
      await d.close();
    }
  });

  test('a refused connection is a retryable error naming the endpoint without the token', async () => {
    const closed = await startLogglyStandin({ token: TOKEN });
    const endpoint = closed.endpoint;
    await closed.close();
    const captured = capturedLogger();
    const d = loggly.create(logglyOptionsSchema.parse({ type: 'loggly', token: TOKEN, endpoint }), { id: 'loggly', host: 'h', logger: captured.logger });
    try {
      const error = await d.send('x', ['{}\n'], new AbortController().signal).then(() => undefined, (e: unknown) => e as Error);
      assert.ok(error instanceof DestinationError);
      assert.match(error.message, /ECONNREFUSED/);
      assert.match(error.message, /bulk\/\*\*\*\/tag\/x\//);
      assert.ok(!error.message.includes(TOKEN));
      assert.equal(d.classify(error).action, 'retry');
    } finally {
      await d.close();
    }
  });
});

/** A record whose event is exactly `size` bytes (JSON plus its newline). */
function recordOfSize(i: number, size: number): LogRecord {
  const base = encodeLogglyEvent(sampleRecord(i, { message: '' }), 'split')[0]!.size;
  return sampleRecord(i, { message: 'm'.repeat(size - base) });
}

describe('loggly: through the DestinationRunner', () => {
  test('20,000 records each arrive exactly once, with their tags, levels and timestamps', async () => {
    const d = make();
    const records = Array.from({ length: 20_000 }, (_, i) => sampleRecord(i));
    const { runner, done, runnerLogs } = run(d, records);
    try {
      assert.equal(await runner.flush(60_000), true);
      assert.equal(done.length, 20_000);
      assert.equal(standin.received.length, 20_000);
      const seen = new Set<number>();
      for (const { tags, event } of standin.received) {
        const e = event as { seq: number; service: string; level: string; timestamp: string };
        assert.ok(!seen.has(e.seq), `seq ${e.seq} arrived twice`);
        seen.add(e.seq);
        assert.deepEqual(tags, [`svc-${e.seq % 4}`, 'prod']);
        assert.equal(e.service, `svc-${e.seq % 4}`);
        assert.equal(e.level, sampleRecord(e.seq).level);
        assert.equal(e.timestamp, new Date(SAMPLE_TIME + e.seq).toISOString());
      }
      assert.deepEqual(standin.violations, []);
      assertNoToken([...logs, ...runnerLogs]);
    } finally {
      await runner.close();
    }
  });

  test('a batch of exactly 5 MB goes in one request; the next byte opens a new one; 1 MB events are not split', async () => {
    const d = make({ tags: ['edge'] });
    const records = [...Array.from({ length: 5 }, (_, i) => recordOfSize(i, 1_000_000)), sampleRecord(5)];
    const { runner, done } = run(d, records);
    try {
      assert.equal(await runner.flush(30_000), true);
      assert.equal(done.length, 6);
      assert.equal(standin.counters.accepted, 2);
      assert.equal(standin.counters.maxBodyBytes, 5_000_000);
      assert.equal(standin.received.length, 6);
      assert.deepEqual(standin.violations, []);
    } finally {
      await runner.close();
    }
  });

  test('a 2.5 MB message is split into parts under 1 MB, delivered in order', async () => {
    const d = make({ tags: ['big'] });
    const message = 'z'.repeat(2_500_000);
    const { runner, done } = run(d, [sampleRecord(0, { message })]);
    try {
      assert.equal(await runner.flush(30_000), true);
      assert.equal(done.length, 1);
      const parts = standin.received.map((r) => (r.event as { message: string }).message);
      assert.equal(parts.length, 3);
      assert.equal(parts.map((p) => p.replace(/ \[journal-fanout part \d+\/3\]$/, '')).join(''), message);
      assert.deepEqual(standin.violations, []);
    } finally {
      await runner.close();
    }
  });

  test('429 with Retry-After, 503 bursts and a reset connection: every record delivered, none twice', async () => {
    const d = make();
    standin.inject({ kind: 'status', status: 429, retryAfter: '1', times: 2 });
    standin.inject({ kind: 'latency', ms: 50, times: 3 });
    standin.inject({ kind: 'status', status: 503, times: 5 });
    standin.inject({ kind: 'reset' });
    standin.inject({ kind: 'status', status: 500, times: 2 });
    const records = Array.from({ length: 3000 }, (_, i) => sampleRecord(i));
    const started = Date.now();
    const { runner, done, runnerLogs } = run(d, records);
    try {
      assert.equal(await runner.flush(60_000), true);
      assert.ok(Date.now() - started >= 900, 'Retry-After: 1 was honoured');
      assert.equal(done.length, 3000);
      assert.equal(new Set(standin.received.map((r) => (r.event as { seq: number }).seq)).size, 3000);
      assert.equal(standin.received.length, 3000);
      assert.equal(standin.counters.byStatus[429], 2);
      assert.equal(standin.counters.byStatus[503], 5);
      assertNoToken([...logs, ...runnerLogs]);
    } finally {
      await runner.close();
    }
  });

  test('403 (token revoked): the destination stops with a clear reason, nothing acknowledged, the token never logged', async () => {
    const d = make();
    standin.inject({ kind: 'status', status: 403, times: Infinity, body: `{"response":"token ${TOKEN} revoked"}` });
    const { runner, done, runnerLogs, fatal } = run(d, Array.from({ length: 100 }, (_, i) => sampleRecord(i)));
    try {
      await runner.flush(10_000);
      assert.equal(done.length, 0);
      assert.ok(runner.failure);
      assert.match(fatal() ?? '', /HTTP 403.*check the destination's "token" option/);
      assert.ok(!(fatal() ?? '').includes(TOKEN));
      assert.ok(runnerLogs.some((l) => l.includes('destination failed and stopped')));
      assertNoToken([...logs, ...runnerLogs]);
    } finally {
      await runner.close();
    }
  });
});
