// The LogDNA (Mezmo) destination against its stand-in: send/start/classify directly, then through the DestinationRunner.
import { after, before, beforeEach, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import logdna from '../../../adapters/logdna/index.ts';
import { LOGDNA_MAX_BATCH_BYTES, logdnaOptionsSchema } from '../../../adapters/logdna/config.ts';
import { encodeLogdnaLine, LOGDNA_LEVELS } from '../../../adapters/logdna/encode.ts';
import { MAX_PARTIAL_ROUNDS } from '../../../adapters/logdna/service.ts';
import { DestinationError } from '../../../src/model/errors.ts';
import type { LogRecord } from '../../../src/model/log-record.ts';
import type { Destination } from '../../../src/pipeline/destination.ts';
import { startLogdnaStandin, type LogdnaStandin } from '../../standins/logdna/index.ts';
import { runDestination } from '../../helpers/run-destination.ts';
import { capturedLogger, sampleRecord, SAMPLE_TIME } from '../../standins/sample-records.ts';

const KEY = 'f00dbabe-logdna-ingestion-key-secret';
let standin: LogdnaStandin;
let logs: string[];
const signal = () => new AbortController().signal;

function make(extra: Record<string, unknown> = {}, key = KEY): Destination<string> {
  const captured = capturedLogger();
  logs = captured.lines;
  const options = logdnaOptionsSchema.parse({ type: 'logdna', key, endpoint: standin.endpoint, tags: ['{ecs.cluster|"local"}', 'fanout'], flush_interval: '50ms', ...extra });
  return logdna.create(options, { id: 'logdna', host: 'host-a', logger: captured.logger }) as Destination<string>;
}

const run = runDestination;

function assertNoKey(lines: readonly string[]) {
  for (const line of lines) assert.ok(!line.includes(KEY), `a log line holds the key: ${line}`);
}

const seqOf = (l: LogdnaStandin['received'][number]) => l.line.meta!.seq as number;

before(async () => {
  standin = await startLogdnaStandin({ key: KEY });
});
after(async () => {
  await standin.close();
});
beforeEach(() => {
  standin.received.length = 0;
  standin.violations.length = 0;
  standin.clearFaults();
  for (const k of Object.keys(standin.counters.byStatus)) delete standin.counters.byStatus[Number(k)];
  standin.counters.requests = standin.counters.accepted = standin.counters.lines = standin.counters.maxBodyBytes = 0;
});

describe('logdna: options', () => {
  test('defaults: Mezmo\'s current host, app from {service}, 10 MB requests; the key is the secret key', () => {
    const o = logdnaOptionsSchema.parse({ type: 'logdna', key: 'k' });
    assert.equal(o.endpoint, 'https://logs.mezmo.com');
    assert.equal(o.app, '{service}');
    assert.deepEqual(o.tags, []);
    assert.equal(o.max_batch_bytes, LOGDNA_MAX_BATCH_BYTES);
    assert.deepEqual(logdna.secretKeys, ['key']);
  });
  test('max_batch_bytes over Mezmo\'s 10 MB limit is refused, naming the limit', () => {
    const r = logdnaOptionsSchema.safeParse({ type: 'logdna', key: 'k', max_batch_bytes: 10_000_001 });
    assert.equal(r.success, false);
    assert.match(JSON.stringify(r.error?.issues), /10 MB request limit/);
  });
  test('every option has a description', () => {
    for (const [name, schema] of Object.entries(logdnaOptionsSchema.shape)) {
      if (name !== 'type') assert.ok((schema as { description?: string }).description, `${name} has no description`);
    }
  });
});

describe('logdna: direct send', () => {
  test('start() passes; send() posts basic auth, hostname, now and tags; lines arrive as sent', async () => {
    const d = make();
    try {
      await d.start();
      const record = sampleRecord(5);
      const key = d.key(record);
      const before = Date.now();
      const result = await d.send(key, d.encode(record).map((e) => e.data), signal());
      assert.deepEqual(result.rejected, []);
      assert.equal(standin.received.length, 1);
      const got = standin.received[0]!;
      assert.equal(got.hostname, 'host-a');
      assert.deepEqual(got.tags, ['local', 'fanout']);
      assert.ok(got.now! >= before && got.now! <= Date.now());
      assert.equal(got.line.timestamp, SAMPLE_TIME + 5);
      assert.equal(got.line.app, 'svc-1');
      assert.equal(got.line.level, LOGDNA_LEVELS[record.level]);
      assert.deepEqual(standin.violations, []);
    } finally {
      await d.close();
    }
  });

  test('gzip bodies arrive the same', async () => {
    const d = make({ gzip: true });
    try {
      await d.send(d.key(sampleRecord(1)), d.encode(sampleRecord(1)).map((e) => e.data), signal());
      assert.equal(standin.received[0]!.line.line, 'message 1');
    } finally {
      await d.close();
    }
  });

  test('a wrong key: start() fails with a clear error without the key; classify says fatal', async () => {
    const d = make({}, `${KEY}-wrong`);
    try {
      const error = await d.start().then(() => undefined, (e: unknown) => e);
      assert.ok(error instanceof DestinationError);
      assert.match(error.message, /HTTP 403.*check the destination's "key" option/);
      assert.ok(!error.message.includes(KEY));
      assert.equal(d.classify(error).action, 'fatal');
    } finally {
      await d.close();
    }
  });

  test('207: lines refused for good are returned as rejected, lines refused for now are resent alone', async () => {
    const d = make();
    standin.injectPartial({ refuse: { 1: 400, 3: 503 } });
    try {
      const records = [0, 1, 2, 3, 4].map((i) => sampleRecord(i * 4)); // one service: one key
      const result = await d.send(d.key(records[0]!), records.flatMap((r) => d.encode(r).map((e) => e.data)), signal());
      assert.deepEqual(result.rejected, [{ count: 1, reason: 'line refused by Mezmo (HTTP 400: injected 400)' }]);
      assert.deepEqual(standin.received.map(seqOf), [0, 8, 16, 12]);
      assert.equal(standin.counters.byStatus[207], 1);
      assert.equal(standin.counters.requests, 2);
    } finally {
      await d.close();
    }
  });

  test(`207 refusing the same line for now ${MAX_PARTIAL_ROUNDS} times: a retryable error for the whole batch`, async () => {
    const d = make();
    standin.injectPartial({ refuse: { 0: 429 }, times: MAX_PARTIAL_ROUNDS });
    try {
      const error = await d.send(d.key(sampleRecord(0)), [0, 4].flatMap((i) => d.encode(sampleRecord(i)).map((e) => e.data)), signal()).then(() => undefined, (e: unknown) => e);
      assert.ok(error instanceof DestinationError);
      assert.equal(d.classify(error).action, 'retry');
    } finally {
      await d.close();
    }
  });
});

/** A record whose line is exactly `size` bytes (JSON plus its comma). */
function recordOfSize(i: number, size: number): LogRecord {
  const base = encodeLogdnaLine(sampleRecord(i, { message: '' }), `svc-${i % 4}`, 'split')[0]!.size;
  return sampleRecord(i, { message: 'm'.repeat(size - base) });
}

describe('logdna: through the DestinationRunner', () => {
  test('20,000 records each arrive exactly once, with their app, level, timestamp and tags', async () => {
    const d = make();
    const { runner, done, runnerLogs } = run(d, Array.from({ length: 20_000 }, (_, i) => sampleRecord(i)));
    try {
      assert.equal(await runner.flush(60_000), true);
      assert.equal(done.length, 20_000);
      assert.equal(standin.received.length, 20_000);
      const seen = new Set<number>();
      for (const r of standin.received) {
        const seq = seqOf(r);
        assert.ok(!seen.has(seq), `seq ${seq} arrived twice`);
        seen.add(seq);
        assert.equal(r.line.app, `svc-${seq % 4}`);
        assert.equal(r.line.level, LOGDNA_LEVELS[sampleRecord(seq).level]);
        assert.equal(r.line.timestamp, SAMPLE_TIME + seq);
        assert.equal(r.hostname, 'host-a');
        assert.deepEqual(r.tags, ['local', 'fanout']);
      }
      assert.deepEqual(standin.violations, []);
      assertNoKey([...logs, ...runnerLogs]);
    } finally {
      await runner.close();
    }
  });

  test('a request body of exactly 10 MB goes in one request; the next line opens a new one', async () => {
    const d = make();
    // Sizes count one comma per line; the body is their sum - 1 + 12 ('{"lines":[' and ']}'): a sum of
    // 10,000,000 - 11 makes a body of exactly 10,000,000 bytes.
    const target = LOGDNA_MAX_BATCH_BYTES - 11;
    const sizes = Array.from({ length: 10 }, (_, i) => (i < 9 ? 1_000_000 : target - 9 * 1_000_000));
    const records = [...sizes.map((s, i) => recordOfSize(i * 4, s)), sampleRecord(40)];
    const { runner, done } = run(d, records);
    try {
      assert.equal(await runner.flush(30_000), true);
      assert.equal(done.length, 11);
      assert.equal(standin.counters.accepted, 2);
      assert.equal(standin.counters.maxBodyBytes, LOGDNA_MAX_BATCH_BYTES);
      assert.equal(standin.received.length, 11);
      assert.deepEqual(standin.violations, []);
    } finally {
      await runner.close();
    }
  });

  test('429 with Retry-After, 503 bursts, a reset and a 207: every record delivered, the refused one counted', async () => {
    const d = make();
    standin.inject({ kind: 'status', status: 429, retryAfter: '1', times: 2 });
    standin.inject({ kind: 'status', status: 503, times: 5 });
    standin.inject({ kind: 'latency', ms: 30, times: 2 });
    standin.inject({ kind: 'reset' });
    standin.injectPartial({ refuse: { 0: 400 } });
    const started = Date.now();
    const { runner, done, runnerLogs } = run(d, Array.from({ length: 3000 }, (_, i) => sampleRecord(i)));
    try {
      assert.equal(await runner.flush(60_000), true);
      assert.ok(Date.now() - started >= 900, 'Retry-After: 1 was honoured');
      assert.equal(done.length, 3000);
      assert.equal(standin.received.length, 2999);
      assert.equal(new Set(standin.received.map(seqOf)).size, 2999);
      assert.ok(runnerLogs.some((l) => l.includes('line refused by Mezmo (HTTP 400')));
      assertNoKey([...logs, ...runnerLogs]);
    } finally {
      await runner.close();
    }
  });

  test('401 (key revoked): the destination stops with a clear reason, nothing acknowledged, the key never logged', async () => {
    const d = make();
    standin.inject({ kind: 'status', status: 401, times: Infinity, body: `{"error":"key ${KEY} revoked"}` });
    const { runner, done, runnerLogs, fatal } = run(d, Array.from({ length: 100 }, (_, i) => sampleRecord(i)));
    try {
      await runner.flush(10_000);
      assert.equal(done.length, 0);
      assert.match(fatal() ?? '', /HTTP 401.*check the destination's "key" option/);
      assert.ok(!(fatal() ?? '').includes(KEY));
      assertNoKey([...logs, ...runnerLogs]);
    } finally {
      await runner.close();
    }
  });
});
