// The adapter's encode/send/classify against the stand-in, through the real AWS SDK.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { createServer } from 'node:net';
import { DestinationError } from '../../../src/model/errors.ts';
import { recordToJsonLine } from '../../../src/normalize/encode.ts';
import { REJECT_REASONS } from '../../../adapters/cloudwatch/sink.ts';
import type { CloudWatchDestination } from '../../../adapters/cloudwatch/sink.ts';
import type { LogEvent } from '../../../adapters/cloudwatch/request-builder.ts';
import type { LogRecord } from '../../../src/model/log-record.ts';
import { startCloudWatchStandin, type CloudWatchStandin } from '../../standins/cloudwatch/index.ts';
import { destination, record, signal } from './fixtures.ts';

let standin: CloudWatchStandin;
const opened: CloudWatchDestination[] = [];
const make = (options: Record<string, unknown> = {}) => {
  const d = destination(standin.endpoint, { message_format: 'text', ...options });
  opened.push(d);
  return d;
};

/** Encodes records and sends each key's events, as the runner would with one batch per key. */
async function ship(d: CloudWatchDestination, records: LogRecord[]) {
  const byKey = new Map<string, LogEvent[]>();
  for (const r of records) {
    const key = d.key(r);
    const list = byKey.get(key) ?? [];
    for (const e of d.encode(r)) list.push(e.data);
    byKey.set(key, list);
  }
  const results = [];
  for (const [key, events] of byKey) results.push(await d.send(key, events, signal()));
  return results;
}
const puts = () => standin.counters.calls.PutLogEvents ?? 0;

describe('CloudWatch destination against the stand-in', () => {
  before(async () => {
    standin = await startCloudWatchStandin();
  });
  after(async () => {
    for (const d of opened) await d.close();
    await standin.close();
  });

  test('the healthcheck passes with credentials and a reachable endpoint', async () => {
    await make().start();
  });

  test('limits handed to the batcher', () => {
    assert.deepEqual(make({ flush_interval: '2s', concurrency: 3 }).limits, { maxEvents: 10_000, maxBytes: 1_048_576, maxSpanMs: 86_400_000, flushIntervalMs: 2000, concurrency: 3 });
  });

  test('creates the group (with retention and tags) and the stream on first use', async () => {
    const d = make({ group: '/ecs/{service}', stream: '{stream}', retention_days: 30, tags: { team: 'infra' } });
    const r = record({ service: 'billing', stream: '0123456789ab', message: 'first' });
    assert.equal(d.key(r), '/ecs/billing:0123456789ab');
    assert.deepEqual(await ship(d, [r]), [{ rejected: [] }]);
    const g = standin.groups.get('/ecs/billing')!;
    assert.equal(g.retentionInDays, 30);
    assert.deepEqual(g.tags, { team: 'infra' });
    assert.deepEqual(standin.messages('/ecs/billing', '0123456789ab'), ['first']);
    assert.deepEqual(standin.counters.errors, {}, 'group and stream are created before the first put: nothing refused');
  });

  test('streams of one new group, sent at once, create the group once', async () => {
    const d = make({ group: '/ecs/{service}', retention_days: 7 });
    const creates = standin.counters.calls.CreateLogGroup ?? 0;
    const records = Array.from({ length: 5 }, (_, i) => record({ service: 'fanned', stream: `s${i}` }));
    await Promise.all(records.map((r) => d.send(d.key(r), d.encode(r).map((e) => e.data), signal())));
    assert.equal((standin.counters.calls.CreateLogGroup ?? 0) - creates, 1);
    assert.equal(standin.groups.get('/ecs/fanned')!.streams.size, 5);
    assert.equal(standin.groups.get('/ecs/fanned')!.retentionInDays, 7);
  });

  test('an existing group keeps its own retention', async () => {
    standin.createGroup('/ecs/existing', 90);
    const d = make({ group: '/ecs/{service}', retention_days: 1 });
    await ship(d, [record({ service: 'existing' })]);
    assert.equal(standin.groups.get('/ecs/existing')!.retentionInDays, 90);
    assert.equal(standin.messages('/ecs/existing', 'abc123def456').length, 1);
  });

  test('json messages carry the record', async () => {
    const d = make({ group: '/json/{service}', message_format: 'json' });
    const r = record({ service: 'j', message: 'hello', fields: { user: 'u1' } });
    await ship(d, [r]);
    const [m] = standin.messages('/json/j', 'abc123def456');
    assert.equal(m, recordToJsonLine(r));
    const parsed = JSON.parse(m!);
    assert.equal(parsed.message, 'hello');
    assert.match(m!, /"user":"u1"/);
    assert.match(m!, /"service":"j"/);
  });

  test('10,000 events go in one request', async () => {
    const d = make({ group: '/limits/count' });
    const now = Date.now();
    const before = puts();
    await ship(d, Array.from({ length: 10_000 }, (_, i) => record({ time: now, message: `e${i}` })));
    assert.equal(puts() - before, 1);
    assert.equal(standin.messages('/limits/count', 'abc123def456').length, 10_000);
  });

  test('exactly 1,048,576 bytes go in one request', async () => {
    const d = make({ group: '/limits/bytes' });
    await ship(d, [record({ message: 'warm-up' })]);
    const before = puts();
    const each = 1_048_576 / 8 - 26;
    const records = Array.from({ length: 8 }, (_, i) => record({ message: String(i).repeat(each) }));
    assert.equal(records.reduce((n, r) => n + d.encode(r)[0]!.size, 0), 1_048_576);
    await ship(d, records);
    assert.equal(puts() - before, 1);
    assert.equal(standin.messages('/limits/bytes', 'abc123def456').length, 9);
  });

  test('an event of 1 MiB + 1 byte arrives split, every byte kept, never refused', async () => {
    const d = make({ group: '/limits/event' });
    const message = 'ab€'.repeat(Math.ceil(1_048_577 / 5));
    await ship(d, [record({ message })]);
    const stored = standin.messages('/limits/event', 'abc123def456');
    assert.equal(stored.length, 2);
    assert.equal(stored.map((m) => m.replace(/^\[journal-fanout part \d\/2\] /, '')).join(''), message);
    assert.equal(standin.counters.errors.InvalidParameterException ?? 0, 0);
  });

  test('a 25 h span and out-of-order times arrive sorted, in requests the service accepts', async () => {
    const d = make({ group: '/limits/span' });
    const now = Date.now();
    const h = 3_600_000;
    const times = [now - 5 * h, now - 25 * h, now, now - 25 * h, now - 12 * h];
    await ship(d, times.map((t, i) => record({ time: t, message: `m${i}` })));
    const events = standin.events('/limits/span', 'abc123def456');
    assert.deepEqual(events.map((e) => e.message), ['m1', 'm3', 'm4', 'm0', 'm2']);
    assert.equal(standin.counters.errors.InvalidParameterException ?? 0, 0);
  });

  test('names with characters CloudWatch refuses are sanitized and accepted', async () => {
    const d = make({ group: '/ecs/{service}', stream: '{container.name|stream}' });
    const r = { ...record({ service: 'my service:v2*', stream: 'web:1*' }) };
    const key = d.key(r);
    assert.match(key, /^\/ecs\/my_service_v2_-[0-9a-f]{8}:web_1_-[0-9a-f]{8}$/);
    await ship(d, [r]);
    const [group, stream] = key.split(':');
    assert.equal(standin.messages(group!, stream!).length, 1);
    assert.equal(standin.counters.errors.InvalidParameterException ?? 0, 0);
  });

  test('a stream deleted while running is recreated', async () => {
    const d = make({ group: '/recreate' });
    await ship(d, [record({ message: 'before' })]);
    assert.ok(standin.deleteStream('/recreate', 'abc123def456'));
    await ship(d, [record({ message: 'after' })]);
    assert.deepEqual(standin.messages('/recreate', 'abc123def456'), ['after']);
  });

  test('create: false gives a clear error for the missing group; other streams keep flowing', async () => {
    standin.createGroup('/nocreate/present');
    const d = make({ group: '/nocreate/{service}', create: false });
    const missing = record({ service: 'absent' });
    const error = await d.send(d.key(missing), d.encode(missing).map((e) => e.data), signal()).then(
      () => assert.fail('expected an error'),
      (e: unknown) => e,
    );
    assert.ok(error instanceof DestinationError);
    assert.equal(error.code, 'ERR_CW_NOT_FOUND');
    assert.match(error.message, /"\/nocreate\/absent".*create: true/);
    const verdict = d.classify(error);
    assert.equal(verdict.action, 'reject');
    assert.ok(!standin.groups.has('/nocreate/absent'));
    // The group exists but not the stream: with create false, that is refused too; with the stream made, it flows.
    const present = record({ service: 'present' });
    standin.groups.get('/nocreate/present')!.streams.set('abc123def456', { name: 'abc123def456', creationTime: 0, events: [] });
    await ship(d, [present]);
    assert.equal(standin.messages('/nocreate/present', 'abc123def456').length, 1);
  });

  test('events refused by index are counted per reason; the rest are stored', async () => {
    standin.createGroup('/refused', 1);
    const d = make({ group: '/refused' });
    const now = Date.now();
    const day = 86_400_000;
    const [expired] = await ship(d, [record({ time: now - day - 60_000, message: 'expired' }), record({ time: now - 60_000, message: 'ok 1' })]);
    assert.deepEqual(expired!.rejected, [{ count: 1, reason: REJECT_REASONS.expired }]);
    const [tooNew] = await ship(d, [record({ time: now, message: 'ok 2' }), record({ time: now + 3 * 3_600_000, message: 'new 1' }), record({ time: now + 4 * 3_600_000, message: 'new 2' })]);
    assert.deepEqual(tooNew!.rejected, [{ count: 2, reason: REJECT_REASONS.tooNew }]);
    const [tooOld] = await ship(d, [record({ time: now - 20 * day, message: 'old' })]);
    assert.deepEqual(tooOld!.rejected, [{ count: 1, reason: REJECT_REASONS.expired }]);
    assert.deepEqual(standin.messages('/refused', 'abc123def456'), ['ok 1', 'ok 2']);
  });

  test('throttling and 500s throw errors classified as retry', async () => {
    const d = make({ group: '/faults' });
    await ship(d, [record()]);
    for (const type of ['ThrottlingException', 'ServiceUnavailableException'] as const) {
      standin.failNext(type);
      const r = record();
      const error = await d.send(d.key(r), d.encode(r).map((e) => e.data), signal()).catch((e: unknown) => e);
      assert.equal((error as Error).name, type);
      assert.equal(d.classify(error).action, 'retry');
    }
  });

  test('an aborted send rejects and is worth a retry', async () => {
    const d = make({ group: '/abort' });
    const controller = new AbortController();
    controller.abort(new Error('request timed out'));
    const r = record();
    const error = await d.send(d.key(r), d.encode(r).map((e) => e.data), controller.signal).catch((e: unknown) => e);
    assert.ok(error instanceof Error);
    assert.equal(d.classify(error).action, 'retry');
  });

  test('a slow answer (injected latency) cut by the abort signal is worth a retry', async () => {
    const d = make({ group: '/slow' });
    await ship(d, [record({ message: 'warm-up' })]);
    standin.faults.latencyMs = 300;
    try {
      const r = record({ message: 'slow' });
      const error = await d.send(d.key(r), d.encode(r).map((e) => e.data), AbortSignal.timeout(50)).catch((e: unknown) => e);
      assert.ok(error instanceof Error, 'the send was cut short');
      assert.equal(d.classify(error).action, 'retry');
    } finally {
      standin.faults.latencyMs = 0;
    }
  });

  test('the healthcheck says when credentials are refused (fatal) or the endpoint is down (retry)', async () => {
    const refusing = await startCloudWatchStandin({ rejectAccessKeys: [process.env.AWS_ACCESS_KEY_ID!] });
    try {
      const d = destination(refusing.endpoint);
      opened.push(d);
      const error = await d.start().catch((e: unknown) => e);
      assert.ok(error instanceof DestinationError);
      assert.equal(error.fatal, true);
      assert.match(error.message, /UnrecognizedClientException.*credentials/);
      assert.ok(!error.message.includes(process.env.AWS_SECRET_ACCESS_KEY!));
    } finally {
      await refusing.close();
    }
    const port = await new Promise<number>((resolve) => {
      const s = createServer().listen(0, '127.0.0.1', () => {
        const p = (s.address() as { port: number }).port;
        s.close(() => resolve(p));
      });
    });
    const down = destination(`http://127.0.0.1:${port}`);
    opened.push(down);
    const error = await down.start().catch((e: unknown) => e);
    assert.ok(error instanceof DestinationError);
    assert.equal(error.code, 'ERR_CW_HEALTHCHECK');
    assert.equal(error.retryable, true);
    assert.equal(down.classify(error).action, 'retry');
  });
});
