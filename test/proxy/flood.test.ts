// The proxy's reason to exist: one container floods 20,000 lines while 20 others write 100 each, all through
// Docker's usual unixgram socket. The 20 arrive whole and in order, the flood is cut to its burst with the
// notices in its own stream, and the counters add up: received = passed + dropped.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { JournalEntry } from '../../src/model/journal-entry.ts';
import { dockerSyslogMessage, SyslogSender } from '../helpers/syslog-client.ts';
import { ProxyHarness } from './harness.ts';

const NOISY_LINES = 20_000;
const QUIET = 20;
const QUIET_LINES = 100;
const BURST = 1000;

const id = (n: number) => n.toString(16).padStart(2, '0').repeat(32);

test('a flooding container is limited with notices in its own stream; 20 others arrive whole and in order; the counts add up', { timeout: 180_000 }, async () => {
  const containers = [
    { id: id(0xee), name: 'ecs-noisy-1-app-e8c1b2a3f4d5c6b7a801', image: 'noisy:1', labels: { 'com.amazonaws.ecs.task-definition-family': 'noisy' } },
    ...Array.from({ length: QUIET }, (_, c) => ({ id: id(c + 1), name: `quiet-${c}`, image: 'quiet:1' })),
  ];
  const h = await ProxyHarness.start({ listen: ['unixgram://{dir}/syslog.sock'], containers, proxy: { rate_limit: { interval: '60s', burst: BURST } } });
  let stopped = false;
  try {
    const target = h.target('unixgram://{dir}/syslog.sock');
    // Docker opens one connection per container.
    const noisy = await SyslogSender.connect(target, 'unix');
    const quiet = await Promise.all(Array.from({ length: QUIET }, () => SyslogSender.connect(target, 'unix')));
    const tag = (n: number) => id(n).slice(0, 12);
    for (let i = 0; i < NOISY_LINES; i++) {
      await noisy.send(dockerSyslogMessage(`noisy-${i}`, { format: 'unix', tag: tag(0xee) }));
      if (i % (NOISY_LINES / QUIET_LINES) === 0) {
        const k = i / (NOISY_LINES / QUIET_LINES);
        for (let c = 0; c < QUIET; c++) await quiet[c]!.send(dockerSyslogMessage(`quiet-${c}-${k}`, { format: 'unix', tag: tag(c + 1) }));
      }
    }
    await Promise.all([noisy, ...quiet].map((s) => s.close()));

    await h.journal.waitForCount(QUIET * QUIET_LINES, 'IMAGE_NAME=quiet:1', 60_000);
    await h.journal.waitForCount(BURST + 1, 'CONTAINER_NAME=ecs-noisy-1-app-e8c1b2a3f4d5c6b7a801', 60_000);

    // The limiter hands its counts to the metrics at each sweep (every second).
    let dropped = 0;
    for (let i = 0; i < 50 && dropped < NOISY_LINES - BURST; i++) {
      dropped = await h.metric('journal_fanout_proxy_dropped_messages_total{service="noisy",reason="rate_limit"}');
      if (dropped < NOISY_LINES - BURST) await new Promise((r) => setTimeout(r, 100));
    }
    const received = await h.metric('journal_fanout_proxy_received_messages_total{listener="unixgram://' + h.dir + '/syslog.sock"}');
    let passed = await h.metric('journal_fanout_proxy_passed_messages_total{service="noisy"}');
    for (let c = 0; c < QUIET; c++) passed += await h.metric(`journal_fanout_proxy_passed_messages_total{service="quiet-${c}"}`);
    assert.equal(received, NOISY_LINES + QUIET * QUIET_LINES);
    assert.equal(dropped, NOISY_LINES - BURST);
    assert.equal(passed, BURST + QUIET * QUIET_LINES);
    assert.equal(received, passed + dropped, 'received = passed + dropped');
    assert.equal(await h.metric('journal_fanout_proxy_dropped_messages_total{service="noisy",reason="journal_full"}'), 0);

    const { code } = await h.daemon.stop('SIGTERM');
    stopped = true;
    assert.equal(code, 0);

    const entries = await h.journal.readAll();
    const byContainer = new Map<string, JournalEntry[]>();
    for (const e of entries) {
      const c = e.fields.CONTAINER_NAME;
      if (typeof c === 'string') byContainer.set(c, [...(byContainer.get(c) ?? []), e]);
    }
    for (let c = 0; c < QUIET; c++) {
      const got = (byContainer.get(`quiet-${c}`) ?? []).map((e) => e.fields.MESSAGE);
      assert.deepEqual(got, Array.from({ length: QUIET_LINES }, (_, k) => `quiet-${c}-${k}`), `quiet-${c} arrived whole and in order`);
    }
    const noisyEntries = byContainer.get('ecs-noisy-1-app-e8c1b2a3f4d5c6b7a801') ?? [];
    const lines = noisyEntries.filter((e) => (e.fields.MESSAGE as string).startsWith('noisy-')).map((e) => e.fields.MESSAGE);
    assert.deepEqual(lines, Array.from({ length: BURST }, (_, i) => `noisy-${i}`), 'the first `burst` lines pass');
    const notices = noisyEntries.filter((e) => e.fields.JOURNAL_FANOUT_EVENT !== undefined);
    assert.deepEqual(
      notices.map((e) => [e.fields.JOURNAL_FANOUT_EVENT, e.fields.JOURNAL_FANOUT_DROPPED, e.fields.PRIORITY]),
      [
        ['rate_limit_start', '0', '4'],
        ['rate_limit_dropped', String(NOISY_LINES - BURST), '4'],
      ],
    );
    assert.match(notices[0]!.fields.MESSAGE as string, /rate limit of 1000 messages per 60s reached for this stream; beginning to drop messages$/);
    assert.match(notices[1]!.fields.MESSAGE as string, new RegExp(`dropped ${NOISY_LINES - BURST} messages in the current window before shutting down \\(rate limit 1000 per 60s\\)$`));
    assert.equal(noisyEntries.indexOf(notices[0]!), BURST, 'the start notice comes right after the last line that passed');
    for (const n of notices) assert.equal(n.fields.CONTAINER_ID, id(0xee).slice(0, 12), 'notices carry the container\'s fields: they land in its stream');
  } finally {
    if (!stopped) await h.daemon.stop('SIGKILL');
    await h.stop();
  }
});
