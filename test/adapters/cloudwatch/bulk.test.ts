// Many records through the pipeline's DestinationRunner into the stand-in: exactly once, in order, under faults.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { DestinationRunner, type RunnerCounters } from '../../../src/pipeline/destination-runner.ts';
import { silentLogger } from '../../../src/selflog/logger.ts';
import type { LogRecord } from '../../../src/model/log-record.ts';
import type { LogEvent } from '../../../adapters/cloudwatch/request-builder.ts';
import { startCloudWatchStandin, type CloudWatchStandin } from '../../standins/cloudwatch/index.ts';
import { destination } from './fixtures.ts';

const SERVICES = 20;
const CONTAINERS = 200;

function workload(count: number, start: number): LogRecord[] {
  return Array.from({ length: count }, (_, i) => {
    const c = i % CONTAINERS;
    const service = `svc-${c % SERVICES}`;
    const stream = `c${String(c).padStart(11, '0')}`;
    return {
      // Two records share each millisecond: the stable sort must keep them in order.
      time: start + Math.floor(i / 2),
      level: 'info',
      message: `${service}/${stream} #${i}`,
      fields: {},
      source: { host: 'h', service, stream },
      cursor: `c${i + 1}`,
      seq: i + 1,
    } satisfies LogRecord;
  });
}

function counters() {
  const c = { sent: 0, rejected: new Map<string, number>(), retried: 0 };
  const api: RunnerCounters = {
    sent: (events) => void (c.sent += events),
    rejected: (reason, events) => void c.rejected.set(reason, (c.rejected.get(reason) ?? 0) + events),
    retried: () => void c.retried++,
    requestSeconds: () => {},
  };
  return { c, api };
}

/** Pushes each phase, flushes, and calls `between` before the next phase: one destination throughout. */
async function run(standin: CloudWatchStandin, records: LogRecord[] | LogRecord[][], options: Record<string, unknown> = {}, between: () => void = () => {}) {
  const phases = Array.isArray(records[0]) ? (records as LogRecord[][]) : [records as LogRecord[]];
  const d = destination(standin.endpoint, { message_format: 'text', group: '/bulk/{service}', flush_interval: '50ms', ...options });
  const done = new Map<number, number>();
  const { c, api } = counters();
  let fatal: string | undefined;
  const runner = new DestinationRunner<LogEvent>(d, {
    logger: silentLogger(),
    onDone: (seq) => done.set(seq, (done.get(seq) ?? 0) + 1),
    onFatal: (reason) => (fatal = reason),
    counters: api,
    backoff: { initialMs: 5, maxMs: 100 },
  });
  await d.start();
  try {
    for (const [i, phase] of phases.entries()) {
      if (i > 0) between();
      for (const r of phase) {
        if (runner.full) await runner.whenNotFull();
        runner.push(r);
      }
      assert.equal(await runner.flush(120_000), true, 'flushed in time');
    }
  } finally {
    // Also on a failed assertion: the runner's timers and sockets would keep the test process alive.
    await runner.close();
  }
  return { done, counters: c, fatal };
}

/** Every record stored once, in its service's group and its container's stream, in the order pushed. */
function assertDelivered(standin: CloudWatchStandin, records: LogRecord[]) {
  const expected = new Map<string, string[]>();
  for (const r of records) {
    const k = `/bulk/${r.source.service}\n${r.source.stream}`;
    const list = expected.get(k) ?? [];
    list.push(r.message);
    expected.set(k, list);
  }
  let stored = 0;
  for (const [k, messages] of expected) {
    const [group, stream] = k.split('\n') as [string, string];
    assert.deepEqual(standin.messages(group, stream), messages, `${group} ${stream}`);
    stored += messages.length;
  }
  assert.equal(stored, records.length);
  assert.equal(standin.counters.acceptedEvents, records.length, 'no event stored twice or elsewhere');
}

describe('CloudWatch destination in bulk, through the DestinationRunner', () => {
  let standin: CloudWatchStandin;
  before(async () => {
    standin = await startCloudWatchStandin();
  });
  after(async () => {
    await standin.close();
  });

  test('50,000 records across 20 services and 200 containers arrive exactly once, in order, none refused', async () => {
    const records = workload(50_000, Date.now() - 3_600_000);
    const { done, counters: c, fatal } = await run(standin, records);
    assert.equal(fatal, undefined);
    assert.equal(done.size, 50_000);
    assert.ok([...done.values()].every((n) => n === 1), 'each record acknowledged once');
    assertDelivered(standin, records);
    assert.deepEqual(standin.counters.errors, {}, 'the stand-in refused no request');
    assert.equal(standin.groups.size, SERVICES);
    assert.equal([...standin.groups.values()].reduce((n, g) => n + g.streams.size, 0), CONTAINERS);
    assert.equal(c.sent, 50_000);
  });
});

describe('CloudWatch destination under faults', () => {
  let standin: CloudWatchStandin;
  before(async () => {
    standin = await startCloudWatchStandin({ faults: { throttleEvery: 3, unavailableEvery: 7 } });
  });
  after(async () => {
    await standin.close();
  });

  test('throttling every 3rd call and a 500 every 7th: all records arrive, none twice', async () => {
    const records = workload(50_000, Date.now() - 3_600_000);
    const { done, counters: c, fatal } = await run(standin, records);
    assert.equal(fatal, undefined);
    assert.equal(done.size, 50_000);
    assert.ok([...done.values()].every((n) => n === 1));
    assertDelivered(standin, records);
    const calls = standin.counters.calls.PutLogEvents!;
    assert.equal(standin.counters.errors.ThrottlingException, Math.floor(calls / 3));
    assert.equal(standin.counters.errors.ServiceUnavailableException, Math.floor(calls / 7) - Math.floor(calls / 21));
    assert.equal(c.retried, standin.counters.errors.ThrottlingException! + standin.counters.errors.ServiceUnavailableException!);
    assert.equal(c.rejected.size, 0);
    assert.equal(standin.counters.errors.InvalidParameterException, undefined);
  });
});

describe('CloudWatch destination: missing resources while running', () => {
  let standin: CloudWatchStandin;
  before(async () => {
    standin = await startCloudWatchStandin();
  });
  after(async () => {
    await standin.close();
  });

  test('a stream deleted while running is recreated and nothing after the deletion is lost', async () => {
    const first = workload(2_000, Date.now() - 60_000);
    const second = workload(2_000, Date.now() - 30_000).map((r) => ({ ...r, seq: r.seq + 2_000, message: `again ${r.message}` }));
    const puts = () => standin.counters.calls.PutLogEvents ?? 0;
    let putsBefore = 0;
    const { done } = await run(standin, [first, second], {}, () => {
      assert.ok(standin.deleteStream('/bulk/svc-0', 'c00000000000'));
      putsBefore = puts();
    });
    assert.equal(done.size, 4_000);
    assert.equal(standin.counters.errors.ResourceNotFoundException, 1, 'the put to the deleted stream was refused once');
    assert.ok(puts() > putsBefore);
    const expected = second.filter((r) => r.source.stream === 'c00000000000').map((r) => r.message);
    assert.deepEqual(standin.messages('/bulk/svc-0', 'c00000000000'), expected);
  });

  test('create: false: the missing group is refused with a clear reason, the others keep flowing', async () => {
    for (let s = 0; s < SERVICES; s++) {
      if (s === 3) continue;
      standin.createGroup(`/fixed/svc-${s}`);
      for (let c = s; c < CONTAINERS; c += SERVICES) {
        const stream = `c${String(c).padStart(11, '0')}`;
        standin.groups.get(`/fixed/svc-${s}`)!.streams.set(stream, { name: stream, creationTime: 0, events: [] });
      }
    }
    const records = workload(4_000, Date.now() - 60_000);
    const { done, counters: c, fatal } = await run(standin, records, { group: '/fixed/{service}', create: false });
    assert.equal(fatal, undefined);
    assert.equal(done.size, 4_000, 'refused records are acknowledged too');
    const missing = records.filter((r) => r.source.service === 'svc-3').length;
    assert.equal([...c.rejected.values()].reduce((a, b) => a + b, 0), missing);
    assert.match([...c.rejected.keys()][0]!, /"\/fixed\/svc-3".*create: true/);
    const delivered = [...standin.groups.entries()].filter(([g]) => g.startsWith('/fixed/')).reduce((n, [, g]) => n + [...g.streams.values()].reduce((m, s) => m + s.events.length, 0), 0);
    assert.equal(delivered, 4_000 - missing);
    assert.ok(!standin.groups.has('/fixed/svc-3'));
  });
});
