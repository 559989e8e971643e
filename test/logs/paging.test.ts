// Every list and every fetch pages to its end with small pages forced in the stand-in: nothing missed, nothing
// twice, in order; the newest N read newest first where the service allows it.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { listServices, listStreams, showEvents, type EventsOptions } from '../../src/logs/commands.ts';
import { GroupNaming } from '../../src/logs/group-naming.ts';
import { compileLineFormat } from '../../src/logs/line-format.ts';
import { captureIo, startCloud, type Cloud } from './harness.ts';

const naming = GroupNaming.fromTemplate('/ecs/{service}', 'group');
const T0 = Date.now() - 3_600_000;
const STREAMS = ['s1', 's2', 's3'];
const EVENTS = 60;

async function fetch(cloud: Cloud, options: Partial<EventsOptions> = {}): Promise<string[]> {
  const io = captureIo();
  const code = await showEvents(cloud.reader(), naming, { service: 'api', streams: [], since: T0 - 1000, follow: false, format: compileLineFormat('{message}'), colour: false, intervalMs: 0, overlapMs: 0, ...options }, io);
  assert.equal(code, 0);
  return io.lines();
}

describe('paging', () => {
  let cloud: Cloud;
  /** Every message, in event-time order. */
  const all: string[] = [];

  before(async () => {
    cloud = await startCloud({ paging: { describePage: 2, eventsScanned: 7, eventsPerPage: 7 } });
    // Interleaved across three streams; every fifth event shares its millisecond with the one before (another stream).
    const byStream = new Map<string, Array<[number, string]>>(STREAMS.map((s) => [s, []]));
    for (let i = 0; i < EVENTS; i++) {
      const stream = STREAMS[i % 3]!;
      const time = T0 + i * 1000 - (i % 5 === 1 ? 1000 : 0);
      byStream.get(stream)!.push([time, `${stream}-${i}${i % 7 === 0 ? ' ERROR' : ''}`]);
    }
    for (const [stream, events] of byStream) await cloud.put('/ecs/api', stream, events);
    const stored = STREAMS.flatMap((s) => cloud.standin.events('/ecs/api', s).map((e) => ({ ...e, s })));
    stored.sort((a, b) => a.timestamp - b.timestamp || a.seq - b.seq);
    all.push(...stored.map((e) => e.message));
    for (const service of ['billing', 'checkout', 'search', 'web', 'worker']) await cloud.put(`/ecs/${service}`, 'x', [[T0 + 5000, `${service} event`]]);
    await cloud.put('/other/api', 'x', [[T0, 'not a service of /ecs/']]);
    cloud.standin.createGroup('/ecs/idle');
  });
  after(async () => cloud.close());

  test('logs services: every group of the prefix, over pages, with its last event time', async () => {
    const io = captureIo();
    assert.equal(await listServices(cloud.reader(), naming, { json: true }, io), 0);
    const rows = io.lines().map((l) => JSON.parse(l) as { service: string; group: string; lastEventTime: string | null });
    assert.deepEqual(rows.map((r) => r.service), ['api', 'billing', 'checkout', 'idle', 'search', 'web', 'worker']);
    assert.equal(rows[0]!.group, '/ecs/api');
    assert.equal(rows[0]!.lastEventTime, new Date(Math.max(...STREAMS.map((s) => cloud.standin.groups.get('/ecs/api')!.streams.get(s)!.lastEventTimestamp!))).toISOString());
    assert.equal(rows[3]!.lastEventTime, null, 'a group without events');
    const text = captureIo();
    await listServices(cloud.reader(), naming, { json: false }, text);
    assert.match(text.lines()[0]!, /^SERVICE\s+LAST EVENT\s+LOG GROUP$/);
    assert.match(text.lines()[1]!, /^api\s+\d{4}-\d\d-\d\dT[\d:.]+Z \(\d+m ago\)\s+\/ecs\/api$/);
    assert.match(text.lines()[4]!, /^idle\s+-\s+\/ecs\/idle$/);
    assert.ok(cloud.standin.counters.calls.DescribeLogGroups! >= 4, 'seven groups in pages of two');
  });

  test('logs streams: newest first over pages, cut by --since and --limit', async () => {
    await cloud.put('/ecs/web', 'older', [[T0 - 600_000, 'older']]);
    await cloud.put('/ecs/web', 'newest', [[T0 + 9000, 'newest']]);
    const io = captureIo();
    await listStreams(cloud.reader(), naming, 'web', { json: true }, io);
    const rows = io.lines().map((l) => JSON.parse(l) as { stream: string; firstEventTime: string; lastEventTime: string });
    assert.deepEqual(rows.map((r) => r.stream), ['newest', 'x', 'older']);
    assert.equal(rows[0]!.lastEventTime, new Date(T0 + 9000).toISOString());
    const since = captureIo();
    await listStreams(cloud.reader(), naming, 'web', { json: true, since: T0 }, since);
    assert.equal(since.lines().length, 2);
    const limited = captureIo();
    await listStreams(cloud.reader(), naming, 'web', { json: false, limit: 1 }, limited);
    assert.equal(limited.lines().length, 2, 'a header and one stream');
    assert.match(limited.lines()[1]!, /^newest\s/);
  });

  test('a fetch pages through partial and empty pages: every event once, in time order', async () => {
    const before = cloud.standin.counters.calls.FilterLogEvents ?? 0;
    assert.deepEqual(await fetch(cloud), all);
    assert.ok((cloud.standin.counters.calls.FilterLogEvents ?? 0) - before >= Math.ceil(EVENTS / 7), 'many pages');
    assert.deepEqual(await fetch(cloud, { filterPattern: 'ERROR' }), all.filter((m) => m.endsWith(' ERROR')), 'mostly empty pages with a filter');
    assert.deepEqual(await fetch(cloud, { streams: ['s2'] }), all.filter((m) => m.startsWith('s2-')));
    const mid = T0 + 20_000;
    const window = await fetch(cloud, { since: mid, until: mid + 10_000 });
    assert.ok(window.length > 0 && window.length < EVENTS);
  });

  test('the newest N: newest first with few requests, or read through when --since is before 2024; the same events either way', async () => {
    const before = cloud.standin.counters.calls.FilterLogEvents ?? 0;
    const newest = await fetch(cloud, { limit: 5 });
    const calls = (cloud.standin.counters.calls.FilterLogEvents ?? 0) - before;
    assert.deepEqual(newest, all.slice(-5));
    assert.equal(calls, 1, 'one page newest first holds five');
    const old = await fetch(cloud, { limit: 5, since: Date.UTC(2023, 11, 31) });
    assert.deepEqual(old, all.slice(-5));
    assert.deepEqual(await fetch(cloud, { limit: 1000 }), all);
  });
});
