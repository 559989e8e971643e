// --follow against the stand-in: new events as they arrive, each once; late and out-of-order events across
// streams and pages; new streams; outages waited out.
import { after, afterEach, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { setTimeout as sleep } from 'node:timers/promises';
import { showEvents, type EventsOptions } from '../../src/logs/commands.ts';
import { GroupNaming } from '../../src/logs/group-naming.ts';
import { compileLineFormat } from '../../src/logs/line-format.ts';
import { captureIo, startCloud, waitFor, type Cloud } from './harness.ts';

const naming = GroupNaming.fromPrefix('/ecs/');
const INTERVAL_MS = 100;
/** Deep polls (every fifth) come every half second here: wait for a few of them before asserting "never again". */
const SEVERAL_DEEP_POLLS_MS = 1600;

/** Followers still running: a failed assertion must not leave one polling (the test process would never end). */
const running = new Set<() => Promise<number>>();

function follow(cloud: Cloud, service: string, options: Partial<EventsOptions> = {}) {
  const stop = new AbortController();
  const io = captureIo(stop.signal);
  const done = showEvents(
    cloud.reader(),
    naming,
    {
      service,
      streams: [],
      since: Date.now() - 120_000,
      follow: true,
      format: compileLineFormat('{log_stream} {message}'),
      colour: false,
      intervalMs: INTERVAL_MS,
      overlapMs: 30_000,
      ...options,
    },
    io,
  );
  const messages = () => io.lines().map((l) => l.slice(l.indexOf(' ') + 1));
  const end = async () => {
    running.delete(end);
    stop.abort();
    return done;
  };
  running.add(end);
  return { io, messages, stop: end };
}

function counts(messages: string[]): Map<string, number> {
  const m = new Map<string, number>();
  for (const x of messages) m.set(x, (m.get(x) ?? 0) + 1);
  return m;
}

describe('logs --follow', { timeout: 60_000 }, () => {
  let cloud: Cloud;
  before(async () => {
    // Two events examined per FilterLogEvents call: every poll is many partial and empty pages.
    cloud = await startCloud({ paging: { eventsScanned: 2 } });
  });
  afterEach(async () => {
    for (const end of [...running]) await end();
  });
  after(async () => cloud.close());

  test('shows the backlog in time order, then every new event once: across streams, pages, a new stream, late and same-millisecond events', async () => {
    const t0 = Date.now();
    await cloud.put('/ecs/api', 'a', [[t0 - 50_000, 'a-0'], [t0 - 40_000, 'a-1']]);
    await cloud.put('/ecs/api', 'b', [[t0 - 45_000, 'b-0']]);
    const f = follow(cloud, 'api');
    await waitFor(() => f.messages().length >= 3, 'the backlog');
    assert.deepEqual(f.messages(), ['a-0', 'b-0', 'a-1']);

    const expected = ['a-0', 'b-0', 'a-1'];
    for (let i = 0; i < 12; i++) {
      const stream = i % 2 === 0 ? 'a' : 'b';
      await cloud.put('/ecs/api', stream, [[Date.now(), `${stream}-new-${i}`]]);
      expected.push(`${stream}-new-${i}`);
      if (i === 4) {
        // A container starts: its stream did not exist when following began.
        await cloud.put('/ecs/api', 'c', [[Date.now(), 'c-first']]);
        expected.push('c-first');
      }
      if (i === 6) {
        // Arrives 20 s after its own time: older than the short polls reach, within --overlap.
        await cloud.put('/ecs/api', 'b', [[Date.now() - 20_000, 'b-late']]);
        expected.push('b-late');
      }
      if (i === 8) {
        const t = Date.now();
        await cloud.put('/ecs/api', 'a', [[t, 'a-same-ms']]);
        await cloud.put('/ecs/api', 'b', [[t, 'b-same-ms']]);
        expected.push('a-same-ms', 'b-same-ms');
      }
      await sleep(30);
    }
    // Later than --overlap: not shown while following (the documented limit), but there for a fetch.
    await cloud.put('/ecs/api', 'c', [[Date.now() - 90_000, 'c-too-late']]);
    await waitFor(() => expected.every((m) => f.messages().includes(m)), `every event (missing: ${expected.filter((m) => !f.messages().includes(m)).join(', ')})`);
    await sleep(SEVERAL_DEEP_POLLS_MS);
    assert.equal(await f.stop(), 0);

    const seen = counts(f.messages());
    for (const m of expected) assert.equal(seen.get(m), 1, `${m} shown once`);
    assert.equal(seen.get('c-too-late'), undefined);
    assert.equal(f.messages().length, expected.length, 'nothing else, nothing twice');
    assert.ok(f.io.warnings.some((w) => /events are arriving up to \d+(\.\d)? s after their own time.*widen --overlap/.test(w)), f.io.warnings.join('\n'));

    const fetched = captureIo();
    await showEvents(cloud.reader(), naming, { service: 'api', streams: [], since: t0 - 120_000, follow: false, format: compileLineFormat('{message}'), colour: false, intervalMs: 0, overlapMs: 0 }, fetched);
    assert.ok(fetched.lines().includes('c-too-late'));
    assert.equal(fetched.lines().length, expected.length + 1);
  });

  test('named streams only; the newest N of the backlog, then new events, and the rest of the backlog never', async () => {
    const t0 = Date.now();
    await cloud.put('/ecs/web', 'x', Array.from({ length: 10 }, (_, i) => [t0 - 60_000 + i * 1000, `x-${i}`] as [number, string]));
    await cloud.put('/ecs/web', 'y', [[t0 - 30_000, 'y-0']]);
    const f = follow(cloud, 'web', { streams: ['x'], limit: 3 });
    await waitFor(() => f.messages().length >= 3, 'the newest three');
    assert.deepEqual(f.messages(), ['x-7', 'x-8', 'x-9']);
    await cloud.put('/ecs/web', 'y', [[Date.now(), 'y-new']]);
    await cloud.put('/ecs/web', 'x', [[Date.now(), 'x-new']]);
    await waitFor(() => f.messages().includes('x-new'), 'the new event');
    await sleep(SEVERAL_DEEP_POLLS_MS);
    assert.equal(await f.stop(), 0);
    assert.deepEqual(f.messages(), ['x-7', 'x-8', 'x-9', 'x-new']);
  });

  test('a throttled or failing service is waited out, and nothing is lost or repeated meanwhile', async () => {
    await cloud.put('/ecs/jobs', 'j', [[Date.now() - 1000, 'j-0']]);
    const f = follow(cloud, 'jobs');
    await waitFor(() => f.messages().length === 1, 'the backlog');
    const expected = ['j-0'];
    // 4 tries per poll here: 3 throttled are retried within one poll; 9 failures fail two polls and a try of a third.
    cloud.standin.failNext('ThrottlingException', 3, 'FilterLogEvents');
    await cloud.put('/ecs/jobs', 'j', [[Date.now(), 'j-1']]);
    expected.push('j-1');
    await waitFor(() => f.messages().includes('j-1'), 'j-1');
    cloud.standin.failNext('ServiceUnavailableException', 9, 'FilterLogEvents');
    for (let i = 2; i < 6; i++) {
      await cloud.put('/ecs/jobs', 'j', [[Date.now(), `j-${i}`]]);
      expected.push(`j-${i}`);
      await sleep(50);
    }
    await waitFor(() => expected.every((m) => f.messages().includes(m)), 'every event after the outage');
    await sleep(SEVERAL_DEEP_POLLS_MS);
    assert.equal(await f.stop(), 0);
    assert.deepEqual(f.messages(), expected);
    assert.ok(f.io.warnings.some((w) => /ServiceUnavailableException.*still following, next try in/.test(w)), f.io.warnings.join('\n'));
  });
});
