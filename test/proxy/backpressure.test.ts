// journald stops taking entries (SIGSTOP): a stream listener stops reading, so its sender waits and nothing is
// lost; a datagram listener drops past proxy.buffer_bytes, and says so: a count in /metrics, a notice in the
// container's own stream once journald has room again, a self-log line. received = passed + dropped.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { dockerSyslogMessage, SyslogSender } from '../helpers/syslog-client.ts';
import { journaldPid, ProxyHarness } from './harness.ts';

const GRAM = 'aa'.repeat(32);
const STREAM = 'bb'.repeat(32);

test('journald stopped: the unix stream listener pushes back and loses nothing; the unixgram listener drops, counts and says so', { timeout: 180_000 }, async () => {
  const h = await ProxyHarness.start({
    listen: ['unixgram://{dir}/gram.sock', 'unix://{dir}/stream.sock'],
    containers: [
      { id: GRAM, name: 'gram', image: 'i:1' },
      { id: STREAM, name: 'stream', image: 'i:1' },
    ],
    proxy: { buffer_bytes: 65_536, rate_limit: { burst: 0 } },
  });
  const pid = journaldPid(h.journal.namespace);
  try {
    // Look both containers up first, so that what follows measures the writer, not the lookups.
    const gram = await SyslogSender.connect(h.target('unixgram://{dir}/gram.sock'), 'unix');
    const stream = await SyslogSender.connect(h.target('unix://{dir}/stream.sock'), 'rfc3164');
    await gram.send(dockerSyslogMessage('gram warm-up', { format: 'unix', tag: GRAM.slice(0, 12) }));
    await stream.send(dockerSyslogMessage('stream warm-up', { format: 'rfc3164', tag: STREAM.slice(0, 12) }));
    await h.journal.waitForCount(2, 'IMAGE_NAME=i:1');

    process.kill(pid, 'SIGSTOP');
    let resumed = false;
    try {
      for (let i = 0; i < 2000; i++) await gram.send(dockerSyslogMessage(`gram ${i} ${'x'.repeat(200)}`, { format: 'unix', tag: GRAM.slice(0, 12) }));
      // The stream sender blocks once the proxy stops reading: journald is resumed while it is still sending.
      const sending = (async () => {
        for (let i = 0; i < 3000; i++) await stream.send(dockerSyslogMessage(`stream ${i} ${'y'.repeat(200)}`, { format: 'rfc3164', tag: STREAM.slice(0, 12) }));
      })();
      await sleep(1500);
      assert.ok((await h.metric('journal_fanout_proxy_journal_queued_bytes')) >= 60_000, 'the writer holds about buffer_bytes');
      const streamReceived = await h.metric(`journal_fanout_proxy_received_messages_total{listener="unix://${h.dir}/stream.sock"}`);
      assert.ok(streamReceived < 3001, `the stream listener stopped reading (${streamReceived} of 3001 received while journald is stopped)`);
      process.kill(pid, 'SIGCONT');
      resumed = true;
      await sending;
    } finally {
      if (!resumed) process.kill(pid, 'SIGCONT');
    }
    await gram.close();
    await stream.close();

    await h.journal.waitForCount(3001, 'CONTAINER_NAME=stream', 60_000);
    const streamLines = (await h.journal.readAll('CONTAINER_NAME=stream')).map((e) => (e.fields.MESSAGE as string).split(' ').slice(0, 2).join(' '));
    assert.deepEqual(streamLines, ['stream warm-up', ...Array.from({ length: 3000 }, (_, i) => `stream ${i}`)], 'every stream line, in order');

    // The datagram side: what passed, then one notice with the count of what was dropped.
    let notice: Record<string, unknown> | undefined;
    for (let i = 0; i < 100 && !notice; i++) {
      notice = (await h.journal.readAll('CONTAINER_NAME=gram')).find((e) => e.fields.JOURNAL_FANOUT_EVENT === 'journal_full_dropped')?.fields;
      if (!notice) await sleep(100);
    }
    assert.ok(notice, 'a notice in the container\'s stream');
    const dropped = Number(notice.JOURNAL_FANOUT_DROPPED);
    assert.ok(dropped > 0 && dropped < 2000, `dropped ${dropped}`);
    assert.match(notice.MESSAGE as string, new RegExp(`^journal-fanout: dropped ${dropped} messages: journald did not take them in time \\(the proxy's buffer of 65536 bytes was full\\)$`));
    assert.equal(notice.PRIORITY, '4');
    const gramLines = (await h.journal.readAll('CONTAINER_NAME=gram')).filter((e) => e.fields.JOURNAL_FANOUT_EVENT === undefined);
    assert.equal(gramLines.length, 1 + 2000 - dropped, 'what was not dropped arrived');
    assert.equal(await h.metric('journal_fanout_proxy_dropped_messages_total{service="gram",reason="journal_full"}'), dropped);
    assert.equal(await h.metric('journal_fanout_proxy_dropped_messages_total{service="stream",reason="journal_full"}'), 0);
    const received = (await h.metric(`journal_fanout_proxy_received_messages_total{listener="unixgram://${h.dir}/gram.sock"}`)) + (await h.metric(`journal_fanout_proxy_received_messages_total{listener="unix://${h.dir}/stream.sock"}`));
    const passed = (await h.metric('journal_fanout_proxy_passed_messages_total{service="gram"}')) + (await h.metric('journal_fanout_proxy_passed_messages_total{service="stream"}'));
    assert.equal(received, 1 + 2000 + 1 + 3000);
    assert.equal(received, passed + dropped, 'received = passed + dropped');
    assert.ok(h.daemon.logs().some((l) => l.msg.startsWith('dropped messages from a datagram listener') && l.dropped === dropped && l.container === GRAM.slice(0, 12)));
  } finally {
    process.kill(pid, 'SIGCONT');
    await h.stop();
  }
});
