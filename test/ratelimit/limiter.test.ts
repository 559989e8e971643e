// StreamRateLimiter: per-stream windows on journal time, drop notices in the stream, overrides, counters, memory.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import type { LogRecord } from '../../src/model/log-record.ts';
import { StreamRateLimiter, rateLimitOptionsSchema, type RateLimitCounters } from '../../src/ratelimit/index.ts';

const T0 = Date.parse('2026-11-24T10:00:00Z');

function rec(service: string, stream: string, time: number, message = 'm'): LogRecord {
  return { time, level: 'info', message, fields: {}, source: { host: 'h1', service, stream }, cursor: `c${time}`, seq: 1 };
}

function limiter(options: Record<string, unknown>, counters?: RateLimitCounters): StreamRateLimiter {
  return new StreamRateLimiter(rateLimitOptionsSchema.parse(options), counters);
}

/** What the pipeline does: notices first, then the record when it passes. Returns what reaches destinations. */
function feed(l: StreamRateLimiter, records: LogRecord[], out: LogRecord[] = []): LogRecord[] {
  const emit = (n: LogRecord) => out.push(n);
  for (const r of records) if (l.admit(r, emit)) out.push(r);
  return out;
}

const isNotice = (r: LogRecord) => r.seq === 0;
const event = (r: LogRecord) => (r.fields['journal_fanout'] as { event: string; dropped: number }).event;
const droppedIn = (r: LogRecord) => (r.fields['journal_fanout'] as { event: string; dropped: number }).dropped;

/** Sums what the limiter handed to the counters, per `service/stream`. */
function tally(): RateLimitCounters & { passedBy: Map<string, number>; droppedBy: Map<string, number> } {
  const passedBy = new Map<string, number>();
  const droppedBy = new Map<string, number>();
  const add = (m: Map<string, number>, k: string, n: number) => m.set(k, (m.get(k) ?? 0) + n);
  return {
    passedBy,
    droppedBy,
    passed: (s, st, n) => add(passedBy, `${s}/${st}`, n),
    dropped: (s, st, n) => add(droppedBy, `${s}/${st}`, n),
  };
}

describe('StreamRateLimiter', () => {
  test('one container floods 100,000 entries: 20 others at 100 each all arrive, the noisy one delivers `burst` plus two notices', () => {
    const counters = tally();
    const l = limiter({ interval: '60s', burst: 1000 }, counters);
    // All within one 60 s window, interleaved in time order as journalctl prints them.
    const records: LogRecord[] = [];
    for (let i = 0; i < 100_000; i++) {
      const time = T0 + Math.floor(i / 2000) * 1000 + (i % 2000) * 0.25;
      records.push(rec('web', 'noisy', time));
      if (i % 50 === 0) {
        const k = i / 50; // 2000 quiet records: 20 streams x 100
        records.push(rec(`svc-${k % 20}`, `quiet-${k % 20}`, time));
      }
    }
    const out = feed(l, records);
    l.sweep(T0 + 60_000, (n) => out.push(n));

    for (let s = 0; s < 20; s++) {
      const quiet = out.filter((r) => r.source.stream === `quiet-${s}`);
      assert.equal(quiet.length, 100, `quiet-${s} delivered everything`);
      assert.ok(quiet.every((r) => !isNotice(r)), `quiet-${s} got no notice`);
    }
    const noisy = out.filter((r) => r.source.stream === 'noisy');
    assert.equal(noisy.filter((r) => !isNotice(r)).length, 1000);
    const notices = noisy.filter(isNotice);
    assert.equal(notices.length, 2);
    assert.deepEqual(notices.map(event), ['rate_limit_start', 'rate_limit_dropped']);
    assert.equal(noisy.indexOf(notices[0]!), 1000, 'the start notice comes right after the last record that passed');
    assert.equal(droppedIn(notices[1]!), 99_000);
    assert.equal(notices[1]!.message, 'journal-fanout: dropped 99000 messages in the last window (rate limit 1000 per 60s)');
    assert.equal(notices[1]!.time, T0 + 60_000, 'the dropped notice is stamped with the window\'s end');

    assert.equal(counters.droppedBy.get('web/noisy'), 99_000);
    assert.equal(counters.passedBy.get('web/noisy'), 1000);
    assert.equal(counters.passedBy.get('svc-7/quiet-7'), 100);
    assert.equal(counters.droppedBy.size, 1);
  });

  test('notices are warnings in the stream\'s own source, synthetic (seq 0, no cursor), saying the limit', () => {
    const l = limiter({});
    const first = rec('api', 'abc123', T0);
    const records = [first];
    for (let i = 1; i <= 200_001; i++) records.push(rec('api', 'abc123', T0 + 1));
    const out = feed(l, records);
    const start = out.find(isNotice)!;
    assert.equal(start.level, 'warning');
    assert.equal(start.message, 'journal-fanout: rate limit of 200000 messages per 60s reached for this stream; beginning to drop messages');
    assert.equal(start.source, first.source, 'same source: the notice lands in the same destination streams');
    assert.equal(start.seq, 0);
    assert.equal(start.cursor, '');
    assert.equal(start.time, T0 + 1, 'stamped with the first dropped record\'s time');
    assert.deepEqual(start.fields, {
      journal_fanout: { event: 'rate_limit_start', dropped: 0, burst: 200_000, interval_ms: 60_000, window_start: '2026-11-24T10:00:00.000Z', window_end: '2026-11-24T10:01:00.000Z' },
    });
    const end: LogRecord[] = [];
    l.sweep(T0 + 60_000, (n) => end.push(n));
    assert.equal(end.length, 1);
    assert.equal(end[0]!.message, 'journal-fanout: dropped 2 messages in the last window (rate limit 200000 per 60s)');
    assert.equal(end[0]!.level, 'warning');
    assert.equal(end[0]!.seq, 0);
    assert.equal(end[0]!.cursor, '');
  });

  describe('window boundaries', () => {
    test('a record exactly at the window\'s end opens the next window, after the previous window\'s dropped notice', () => {
      const l = limiter({ interval: 1000, burst: 3 });
      const out = feed(l, [rec('s', 'a', T0), rec('s', 'a', T0 + 1), rec('s', 'a', T0 + 2), rec('s', 'a', T0 + 999), rec('s', 'a', T0 + 1000)]);
      assert.deepEqual(
        out.map((r) => (isNotice(r) ? `${event(r)}@${r.time - T0}` : r.time - T0)),
        [0, 1, 2, 'rate_limit_start@999', 'rate_limit_dropped@1000', 1000],
      );
      assert.equal(droppedIn(out[4]!), 1);
    });

    test('across several windows: each passes `burst`, and each that dropped says so once', () => {
      const l = limiter({ interval: '1s', burst: 3 });
      const records: LogRecord[] = [];
      for (let w = 0; w < 4; w++) for (let i = 0; i < 5; i++) records.push(rec('s', 'a', T0 + w * 1000 + i * 100));
      const out = feed(l, records);
      l.flushAll((n) => out.push(n));
      const shape = out.map((r) => (isNotice(r) ? `${event(r) === 'rate_limit_start' ? 'start' : `dropped ${droppedIn(r)}`}@${r.time - T0}` : r.time - T0));
      assert.deepEqual(shape, [
        0, 100, 200, 'start@300',
        'dropped 2@1000', 1000, 1100, 1200, 'start@1300',
        'dropped 2@2000', 2000, 2100, 2200, 'start@2300',
        'dropped 2@3000', 3000, 3100, 3200, 'start@3300',
        'dropped 2@3400', // flushAll: the open window, stamped with the newest record seen
      ]);
      assert.match(out.at(-1)!.message, /^journal-fanout: dropped 2 messages in the current window before shutting down \(rate limit 3 per 1s\)$/);
    });

    test('a backlog read long after it was written, at an allowed rate over many windows, drops nothing', () => {
      const counters = tally();
      const l = limiter({ interval: '60s', burst: 600 }, counters);
      // 10 per second for 3 hours: exactly 600 per 60 s window, fed in one go as a catch-up would.
      const records: LogRecord[] = [];
      for (let i = 0; i < 10 * 3600 * 3; i++) records.push(rec('s', 'a', T0 + i * 100));
      const out = feed(l, records);
      l.flushAll((n) => out.push(n));
      assert.equal(out.length, records.length);
      assert.ok(out.every((r) => !isNotice(r)));
      assert.equal(counters.passedBy.get('s/a'), records.length);
      assert.equal(counters.droppedBy.size, 0);
    });

    test('entries slightly out of order count in the current window; a large jump back in time opens a new one', () => {
      const l = limiter({ interval: 1000, burst: 2 });
      const out = feed(l, [rec('s', 'a', T0 + 5000), rec('s', 'a', T0 + 4500), rec('s', 'a', T0 + 5100)]);
      assert.deepEqual(out.map((r) => (isNotice(r) ? event(r) : r.time - T0)), [5000, 4500, 'rate_limit_start']);
      // The clock was set back an hour: the stream is not held until the clock catches up.
      feed(l, [rec('s', 'a', T0 + 5000 - 3_600_000)], out);
      assert.deepEqual(out.slice(3).map((r) => (isNotice(r) ? `${event(r)}@${r.time - T0}` : r.time - T0)), ['rate_limit_dropped@5100', 5000 - 3_600_000]);
    });

    test('a record without a usable time passes and does not wedge its stream', () => {
      const l = limiter({ interval: 1000, burst: 1 });
      const out = feed(l, [rec('s', 'a', Number.NaN), rec('s', 'a', Number.NaN), rec('s', 'a', T0), rec('s', 'a', T0 + 1), rec('s', 'a', T0 + 1000)]);
      assert.deepEqual(out.filter((r) => !isNotice(r)).map((r) => r.time - T0), [Number.NaN, Number.NaN, 0, 1000]);
    });
  });

  describe('per-service overrides', () => {
    const options = {
      interval: '1s',
      burst: 5,
      overrides: [
        { service: 'api-web', burst: 2 },
        { service: 'api-*', burst: 3 },
        { service: 'api-admin', burst: 100 }, // never used: `api-*` matches first
        { service: 'batch-?', interval: '10s' },
        { service: 'firehose', burst: 0 },
      ],
    };
    /** How many of 20 records, all at the same time, each service gets through. */
    function passedOf(l: StreamRateLimiter, service: string, at = T0): number {
      const records = Array.from({ length: 20 }, () => rec(service, 'x', at));
      return feed(l, records).filter((r) => !isNotice(r)).length;
    }

    test('exact names and globs; the first matching entry wins; the rest use the top-level limit', () => {
      const l = limiter(options);
      assert.equal(passedOf(l, 'api-web'), 2);
      assert.equal(passedOf(l, 'api-billing'), 3);
      assert.equal(passedOf(l, 'api-admin'), 3);
      assert.equal(passedOf(l, 'batch-1'), 5);
      assert.equal(passedOf(l, 'batch-12'), 5);
      assert.equal(passedOf(l, 'firehose'), 20);
      assert.equal(passedOf(l, 'web'), 5);
    });

    test('an override that sets only the interval keeps the top-level burst, and vice versa', () => {
      const l = limiter(options);
      passedOf(l, 'batch-1', T0);
      passedOf(l, 'batch-12', T0);
      // 5 s later: batch-1 (10 s windows) is still in its first window, batch-12 (1 s) is in a new one.
      assert.equal(passedOf(l, 'batch-1', T0 + 5000), 0);
      assert.equal(passedOf(l, 'batch-12', T0 + 5000), 5);
      const out = feed(l, Array.from({ length: 10 }, () => rec('batch-2', 'x', T0)));
      assert.match(out.find(isNotice)!.message, /rate limit of 5 messages per 10s/);
    });

    test('burst 0 at the top level with an override limits only the matching services', () => {
      const counters = tally();
      const l = limiter({ burst: 0, overrides: [{ service: 'noisy-*', burst: 10 }] }, counters);
      assert.equal(passedOf(l, 'noisy-1'), 10);
      assert.equal(passedOf(l, 'calm'), 20);
      l.flushAll(() => {});
      assert.deepEqual([...counters.droppedBy], [['noisy-1/x', 10]]);
    });
  });

  test('burst 0 turns rate limiting off: everything passes, no notice, nothing tracked or counted', () => {
    const counters = tally();
    const l = limiter({ burst: 0 }, counters);
    const records = Array.from({ length: 50_000 }, (_, i) => rec('s', `c${i % 3}`, T0));
    const out = feed(l, records);
    l.sweep(T0 + 3_600_000, (n) => out.push(n));
    l.flushAll((n) => out.push(n));
    assert.equal(out.length, records.length);
    assert.ok(out.every((r, i) => r === records[i]));
    assert.equal(l.activeStreams, 0);
    assert.equal(counters.passedBy.size + counters.droppedBy.size, 0);
  });

  test('on random traffic, counters and notices account for exactly what was dropped, and no window passes more than `burst`', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 5 }),
        fc.integer({ min: 1, max: 500 }),
        fc.array(fc.record({ stream: fc.constantFrom('a', 'b', 'c'), gap: fc.integer({ min: 0, max: 120 }), sweep: fc.boolean() }), { maxLength: 400 }),
        (burst, interval, steps) => {
          const counters = tally();
          const l = limiter({ interval, burst }, counters);
          const out: LogRecord[] = [];
          const emit = (n: LogRecord) => out.push(n);
          const droppedBy = new Map<string, number>();
          const passedBy = new Map<string, number>();
          let time = T0;
          for (const step of steps) {
            time += step.gap;
            const r = rec('svc', step.stream, time);
            const key = `svc/${step.stream}`;
            if (l.admit(r, emit)) {
              out.push(r);
              passedBy.set(key, (passedBy.get(key) ?? 0) + 1);
            } else droppedBy.set(key, (droppedBy.get(key) ?? 0) + 1);
            if (step.sweep) l.sweep(time, emit);
          }
          l.flushAll(emit);
          assert.deepEqual([...counters.droppedBy].sort(), [...droppedBy].sort());
          assert.deepEqual([...counters.passedBy].sort(), [...passedBy].sort());
          for (const stream of ['a', 'b', 'c']) {
            const mine = out.filter((r) => r.source.stream === stream);
            const noticed = mine.filter((r) => isNotice(r) && event(r) === 'rate_limit_dropped').reduce((n, r) => n + droppedIn(r), 0);
            assert.equal(noticed, droppedBy.get(`svc/${stream}`) ?? 0);
            // Starts and dropped notices alternate, start first: one pair per window that dropped.
            const events = mine.filter(isNotice).map(event);
            assert.ok(events.every((e, i) => e === (i % 2 === 0 ? 'rate_limit_start' : 'rate_limit_dropped')), events.join());
            assert.equal(events.length % 2, 0);
            // Between two notices or stream edges, at most `burst` records pass... per window: check with sliding starts.
            let windowEnd = Number.NEGATIVE_INFINITY;
            let count = 0;
            for (const r of mine) {
              if (isNotice(r)) continue;
              if (r.time >= windowEnd) {
                windowEnd = r.time + interval;
                count = 0;
              }
              count++;
              assert.ok(count <= burst, `stream ${stream} passed ${count} > ${burst} in one window`);
            }
          }
        },
      ),
      { numRuns: 300 },
    );
  });

  test('sweep ends windows that dropped, then forgets streams idle for two intervals', () => {
    const counters = tally();
    const l = limiter({ interval: 1000, burst: 1 }, counters);
    const out = feed(l, [rec('s', 'busy', T0), rec('s', 'busy', T0 + 10), rec('s', 'busy', T0 + 20), rec('s', 'calm', T0 + 500)]);
    assert.equal(l.activeStreams, 2);

    const swept: LogRecord[] = [];
    l.sweep(T0 + 999, (n) => swept.push(n));
    assert.equal(swept.length, 0, 'the window is not over yet');
    assert.equal(counters.droppedBy.get('s/busy'), 2, 'counts are handed on at every sweep');

    l.sweep(T0 + 1000, (n) => swept.push(n));
    assert.deepEqual(swept.map((r) => [r.source.stream, r.message, r.time - T0]), [
      ['busy', 'journal-fanout: dropped 2 messages in the last window (rate limit 1 per 1s)', 1000],
    ]);
    assert.equal(l.activeStreams, 2, 'not idle yet');

    l.sweep(T0 + 2020, (n) => swept.push(n));
    assert.equal(l.activeStreams, 1, 'busy: no record for two intervals, notice out: forgotten');
    l.sweep(T0 + 2500, (n) => swept.push(n));
    assert.equal(l.activeStreams, 0);
    assert.equal(swept.length, 1, 'forgetting emits nothing more');

    // A forgotten stream that comes back starts afresh.
    feed(l, [rec('s', 'busy', T0 + 3000), rec('s', 'busy', T0 + 3001)], out);
    assert.equal(out.at(-1)!.message.endsWith('beginning to drop messages'), true);
    assert.equal(counters.passedBy.get('s/busy'), 1, 'a forgotten stream\'s counts were handed on before it went');
  });

  test('sweep keeps a stream whose window dropped until its notice is out, and ends windows on journal time only', () => {
    const l = limiter({ interval: 60_000, burst: 1 });
    feed(l, [rec('s', 'a', T0), rec('s', 'a', T0 + 1)]);
    const swept: LogRecord[] = [];
    // Wall clock is hours ahead while catching up; the caller passes the journal time, not Date.now().
    l.sweep(T0 + 59_999, (n) => swept.push(n));
    assert.equal(swept.length, 0);
    assert.equal(l.activeStreams, 1);
    l.sweep(T0 + 10 * 60_000, (n) => swept.push(n));
    assert.equal(swept.length, 1);
    assert.equal(swept[0]!.time, T0 + 60_000);
    assert.equal(l.activeStreams, 0);
  });

  test('flushAll reports every window that dropped something, once, and hands on the counts', () => {
    const counters = tally();
    const l = limiter({ interval: '60s', burst: 2 }, counters);
    const records: LogRecord[] = [];
    for (let i = 0; i < 5; i++) records.push(rec('s', 'a', T0 + i), rec('s', 'b', T0 + i), rec('t', 'c', T0 + i));
    records.push(rec('u', 'quiet', T0));
    feed(l, records);
    const flushed: LogRecord[] = [];
    l.flushAll((n) => flushed.push(n));
    assert.deepEqual(flushed.map((r) => [`${r.source.service}/${r.source.stream}`, droppedIn(r), r.time - T0]), [
      ['s/a', 3, 4],
      ['s/b', 3, 4],
      ['t/c', 3, 4],
    ]);
    assert.ok(flushed.every((r) => r.message.includes('before shutting down')));
    l.flushAll((n) => flushed.push(n));
    assert.equal(flushed.length, 3, 'a second flush has nothing new to say');
    assert.deepEqual(Object.fromEntries(counters.droppedBy), { 's/a': 3, 's/b': 3, 't/c': 3 });
    assert.deepEqual(Object.fromEntries(counters.passedBy), { 's/a': 2, 's/b': 2, 't/c': 2, 'u/quiet': 1 });
  });

  test('memory stays bounded: thousands of short-lived containers are forgotten once idle', () => {
    const l = limiter({ interval: 1000, burst: 10 });
    for (let i = 0; i < 10_000; i++) {
      const t = T0 + i * 10;
      l.admit(rec(`svc-${i % 50}`, `container-${i}`, t), () => {});
      if (i % 100 === 99) l.sweep(t, () => {});
    }
    // Only the containers seen in the last two intervals (200 records at 10 ms apart) may remain.
    assert.ok(l.activeStreams <= 201, `${l.activeStreams} streams tracked`);
  });

  test('rejects options that did not come through the schema with a ConfigError naming the key', () => {
    assert.throws(() => new StreamRateLimiter({ interval: 0, burst: 1, overrides: [] }), { name: 'ConfigError', message: /rate_limit\.interval/ });
    assert.throws(() => new StreamRateLimiter({ interval: 1000, burst: 1, overrides: [{ service: 'a', burst: -1 }] }), {
      name: 'ConfigError',
      message: /rate_limit\.overrides\[0\]\.burst/,
    });
  });
  test('admitAt (the proxy\'s entry: a source and a time, no record built) decides as admit does; notices carry that source', () => {
    const source = { host: 'h1', service: 'web', stream: '3f2a9c1d7e4b' };
    const byRecord = limiter({ interval: 1000, burst: 2 });
    const bySource = limiter({ interval: 1000, burst: 2 });
    const a: boolean[] = [];
    const b: boolean[] = [];
    const notices: LogRecord[] = [];
    for (let i = 0; i < 5; i++) {
      a.push(byRecord.admit(rec('web', '3f2a9c1d7e4b', T0 + i), () => {}));
      b.push(bySource.admitAt(source, T0 + i, (n) => notices.push(n)));
    }
    assert.deepEqual(b, a);
    assert.deepEqual(b, [true, true, false, false, false]);
    bySource.sweep(T0 + 1000, (n) => notices.push(n));
    assert.deepEqual(notices.map(event), ['rate_limit_start', 'rate_limit_dropped']);
    assert.ok(notices.every((n) => n.source === source), 'the same source object, so the caller finds the stream');
  });
});
