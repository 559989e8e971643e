// End to end through the real `journal-fanout proxy` process: Docker's syslog driver's messages, on every
// listener type, arrive in a journald namespace with Docker's journald driver's fields; large messages,
// Docker's 16 KiB parts, failed lookups, TLS client certificates, /healthz, /metrics and SIGTERM.
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import tls from 'node:tls';
import { after, before, describe, test } from 'node:test';
import type { JournalEntry } from '../../src/model/journal-entry.ts';
import { dockerSyslogMessage, SyslogSender, type DockerSyslogFormat } from '../helpers/syslog-client.ts';
import { ProxyHarness, tlsFile } from './harness.ts';

const WEB = 'a1'.repeat(32);
const API = 'b2'.repeat(32);
const ECS_NAME = 'ecs-web-3-app-e8c1b2a3f4d5c6b7a801';

const LISTEN = ['unixgram://{dir}/gram.sock', 'unix://{dir}/stream.sock', 'udp://127.0.0.1:0', 'tcp://127.0.0.1:0', 'tcp+tls://127.0.0.1:0'];
/** The syslog-format each listener is exercised with (tcp+tls with rfc5424: octet counting). */
const FORMAT: Record<string, DockerSyslogFormat> = { unixgram: 'unix', unix: 'rfc3164', udp: 'rfc3164', tcp: 'rfc5424micro', 'tcp+tls': 'rfc5424' };

const text = (e: JournalEntry, f: string) => e.fields[f] as string | undefined;

describe('journal-fanout proxy, every listener into journald', () => {
  let h: ProxyHarness;
  before(async () => {
    h = await ProxyHarness.start({
      listen: LISTEN,
      containers: [
        { id: WEB, name: ECS_NAME, image: '123456789012.dkr.ecr.us-east-1.amazonaws.com/web:1.8.2', labels: { 'com.amazonaws.ecs.task-definition-family': 'web', 'com.amazonaws.ecs.task-definition-version': '3', 'com.amazonaws.ecs.cluster': 'prod', 'com.amazonaws.ecs.task-arn': 'arn:aws:ecs:us-east-1:123456789012:task/prod/0123456789abcdef' } },
        { id: API, name: 'api', image: 'api:2', labels: { team: 'payments' }, logConfig: { Type: 'syslog', Config: { labels: 'team' } } },
      ],
      proxy: { max_message_bytes: 1024 * 1024 },
    });
  });
  after(async () => {
    const { code } = await h.stop();
    assert.equal(code, 0, h.daemon.stderr.slice(-2000));
  });

  for (const url of LISTEN) {
    const scheme = url.split('://')[0]!;
    test(`${scheme} (syslog-format ${FORMAT[scheme]}): each line is one entry with the journald driver's fields`, async () => {
      const sender = await SyslogSender.connect(h.target(url), FORMAT[scheme]);
      const lines = [`${scheme} one`, `${scheme} {"level":"warn","msg":"two"}`, `${scheme}   three  `];
      await sender.send(dockerSyslogMessage(lines[0]!, { format: FORMAT[scheme]!, tag: WEB.slice(0, 12) }));
      await sender.send(dockerSyslogMessage(lines[1]!, { format: FORMAT[scheme]!, tag: `docker/${WEB.slice(0, 12)}`, stream: 'stderr' }));
      await sender.send(dockerSyslogMessage(lines[2]!, { format: FORMAT[scheme]!, tag: API.slice(0, 12) }));
      await sender.close();
      const match = (e: JournalEntry) => typeof e.fields.MESSAGE === 'string' && e.fields.MESSAGE.startsWith(`${scheme} `);
      let got: JournalEntry[] = [];
      for (let i = 0; i < 100 && got.length < 3; i++) {
        got = (await h.journal.readAll()).filter(match);
        if (got.length < 3) await new Promise((r) => setTimeout(r, 100));
      }
      assert.deepEqual(got.map((e) => text(e, 'MESSAGE')), lines);
      const [one, two, three] = got as [JournalEntry, JournalEntry, JournalEntry];
      assert.deepEqual([text(one, 'PRIORITY'), text(two, 'PRIORITY'), text(three, 'PRIORITY')], ['6', '3', '6'], 'stdout info, stderr err');
      for (const e of [one, two]) {
        assert.equal(text(e, 'CONTAINER_ID'), WEB.slice(0, 12));
        assert.equal(text(e, 'CONTAINER_ID_FULL'), WEB);
        assert.equal(text(e, 'CONTAINER_NAME'), ECS_NAME);
        assert.equal(text(e, 'IMAGE_NAME'), '123456789012.dkr.ecr.us-east-1.amazonaws.com/web:1.8.2');
        assert.equal(text(e, 'COM_AMAZONAWS_ECS_TASK_DEFINITION_FAMILY'), 'web');
        assert.equal(text(e, 'COM_AMAZONAWS_ECS_TASK_DEFINITION_VERSION'), '3');
        assert.equal(text(e, 'COM_AMAZONAWS_ECS_CLUSTER'), 'prod');
        assert.equal(text(e, 'COM_AMAZONAWS_ECS_TASK_ARN'), 'arn:aws:ecs:us-east-1:123456789012:task/prod/0123456789abcdef');
        assert.match(text(e, 'SYSLOG_TIMESTAMP')!, FORMAT[scheme] === 'rfc5424micro' ? /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{6}Z$/ : /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d{1,3})?Z$/);
        assert.equal(e.fields.CONTAINER_PARTIAL_MESSAGE, undefined);
      }
      assert.equal(text(one, 'SYSLOG_IDENTIFIER'), WEB.slice(0, 12));
      assert.equal(text(one, 'CONTAINER_TAG'), WEB.slice(0, 12));
      assert.equal(text(two, 'CONTAINER_TAG'), WEB.slice(0, 12), 'the "docker/" prefix of old Docker versions is stripped');
      assert.equal(text(three, 'CONTAINER_NAME'), 'api');
      assert.equal(text(three, 'TEAM'), 'payments', 'the container\'s own `labels` log option');
      assert.equal(text(three, 'COM_AMAZONAWS_ECS_CLUSTER'), undefined);
    });
  }

  test('a 300 KB line over tcp arrives intact, written through a memfd', async () => {
    const sender = await SyslogSender.connect(h.target('tcp://127.0.0.1:0'), 'rfc3164');
    const line = Array.from({ length: 300 * 1024 }, (_, i) => String.fromCharCode(0x21 + (i % 90))).join('');
    await sender.send(dockerSyslogMessage(`big:${line}`, { format: 'rfc3164', tag: API.slice(0, 12) }));
    await sender.close();
    let got: JournalEntry[] = [];
    for (let i = 0; i < 100 && got.length === 0; i++) {
      got = (await h.journal.readAll('CONTAINER_ID=' + API.slice(0, 12))).filter((e) => typeof e.fields.MESSAGE === 'string' && e.fields.MESSAGE.startsWith('big:'));
      if (got.length === 0) await new Promise((r) => setTimeout(r, 100));
    }
    assert.equal(got.length, 1);
    assert.equal(got[0]!.fields.MESSAGE, `big:${line}`);
    assert.equal(await h.metric('journal_fanout_proxy_journal_memfd_entries_total'), 1);
  });

  test('a message longer than max_message_bytes (unix stream) is written in parts the forwarder joins back', async () => {
    const sender = await SyslogSender.connect(h.target('unix://{dir}/stream.sock'), 'rfc3164');
    const body = 'p'.repeat(2.5 * 1024 * 1024);
    await sender.send(dockerSyslogMessage(`long:${body}`, { format: 'rfc3164', tag: API.slice(0, 12) }));
    await sender.send(dockerSyslogMessage('after long', { format: 'rfc3164', tag: API.slice(0, 12) }));
    await sender.close();
    await h.journal.waitForCount(1, 'MESSAGE=after long');
    const parts = (await h.journal.readAll('CONTAINER_ID=' + API.slice(0, 12))).filter((e) => typeof e.fields.MESSAGE === 'string' && /^(long:)?p+$/.test(e.fields.MESSAGE));
    assert.deepEqual(parts.map((e) => e.fields.CONTAINER_PARTIAL_MESSAGE), ['true', 'true', undefined]);
    assert.equal(parts.map((e) => e.fields.MESSAGE).join(''), `long:${body}`);
    assert.ok(parts.every((e) => e.fields.CONTAINER_NAME === 'api'), 'every part carries the container\'s fields');
  });

  test('Docker\'s 16 KiB parts of a longer line are marked CONTAINER_PARTIAL_MESSAGE=true, as the journald driver marks them', async () => {
    const sender = await SyslogSender.connect(h.target('unixgram://{dir}/gram.sock'), 'unix');
    const part = 'q'.repeat(16 * 1024);
    await sender.send(dockerSyslogMessage(part, { format: 'unix', tag: WEB.slice(0, 12) }));
    await sender.send(dockerSyslogMessage('qqq end of the long line', { format: 'unix', tag: WEB.slice(0, 12) }));
    await sender.close();
    await h.journal.waitForCount(1, 'MESSAGE=qqq end of the long line');
    const got = (await h.journal.readAll('CONTAINER_ID=' + WEB.slice(0, 12))).filter((e) => typeof e.fields.MESSAGE === 'string' && e.fields.MESSAGE.startsWith('qqq'));
    assert.deepEqual(got.map((e) => [(e.fields.MESSAGE as string).length, e.fields.CONTAINER_PARTIAL_MESSAGE]), [
      [16384, 'true'],
      [24, undefined],
    ]);
  });

  test('a failed Docker lookup never drops the line: written with what the tag says, failure counted', async () => {
    const unknown = 'c3'.repeat(32);
    h.docker!.inject({ kind: 'status', status: 500, body: 'daemon is restarting' });
    const sender = await SyslogSender.connect(h.target('unixgram://{dir}/gram.sock'), 'unix');
    await sender.send(dockerSyslogMessage('while docker is sick', { format: 'unix', tag: unknown.slice(0, 12) }));
    await sender.close();
    await h.journal.waitForCount(1, 'MESSAGE=while docker is sick');
    const [e] = await h.journal.readAll('MESSAGE=while docker is sick');
    assert.deepEqual([text(e!, 'CONTAINER_ID'), text(e!, 'CONTAINER_TAG'), text(e!, 'SYSLOG_IDENTIFIER'), text(e!, 'CONTAINER_NAME')], [unknown.slice(0, 12), unknown.slice(0, 12), unknown.slice(0, 12), undefined]);
    assert.equal(await h.metric('journal_fanout_proxy_docker_lookup_failures_total{reason="error"}'), 1);
    assert.ok(h.daemon.logs().some((l) => l.msg.startsWith('container lookup failed') && l.detail === 'HTTP 500: daemon is restarting'));
  });

  test('tcp+tls with a CA: a client without a certificate is refused (the tcp+tls test above presents one)', async () => {
    const target = h.target('tcp+tls://127.0.0.1:0') as { host: string; port: number };
    const refused = await new Promise<string>((resolve) => {
      const s = tls.connect({ host: target.host, port: target.port, ca: tlsFile('ca.pem'), servername: 'localhost' });
      s.on('error', (e) => resolve((e as NodeJS.ErrnoException).code ?? e.message));
      s.on('secureConnect', () => s.write('<14>x: y\n'));
      s.on('close', () => resolve('closed'));
    });
    assert.match(refused, /CERTIFICATE_REQUIRED|closed|ECONNRESET/);
  });

  test('/healthz answers 200 with the listeners and journald\'s state; /metrics counts per listener', async () => {
    const res = await fetch(`http://${h.metricsAddress}/healthz`);
    assert.equal(res.status, 200);
    const health = (await res.json()) as { status: string; listeners: Array<{ url: string; listening: boolean }>; journal: { connected: boolean } };
    assert.equal(health.status, 'ok');
    assert.equal(health.listeners.length, 5);
    assert.ok(health.listeners.every((l) => l.listening));
    assert.equal(health.journal.connected, true);
    for (const url of LISTEN) {
      const resolved = url.replace('{dir}', h.dir);
      assert.ok((await h.metric(`journal_fanout_proxy_received_messages_total{listener="${resolved}"}`)) >= 3, resolved);
    }
    assert.equal(await h.metric('journal_fanout_proxy_journal_connected'), 1);
    assert.ok((await h.metric('journal_fanout_proxy_passed_messages_total{service="web"}')) >= 10);
  });
});

describe('journal-fanout proxy stops cleanly', () => {
  test('SIGTERM: stops listening, writes what it holds, removes its sockets, exits 0', async () => {
    const h = await ProxyHarness.start({ listen: ['unixgram://{dir}/gram.sock', 'unix://{dir}/stream.sock'], noDocker: true });
    const sender = await SyslogSender.connect(h.target('unix://{dir}/stream.sock'), 'rfc3164');
    for (let i = 0; i < 500; i++) await sender.send(dockerSyslogMessage(`bye ${i}`, { format: 'rfc3164', tag: 'd4'.repeat(6) }));
    const { code } = await h.daemon.stop('SIGTERM');
    await sender.close();
    assert.equal(code, 0);
    await h.journal.waitForCount(500, 'CONTAINER_ID=' + 'd4'.repeat(6));
    assert.ok(!existsSync(`${h.dir}/gram.sock`) && !existsSync(`${h.dir}/stream.sock`), 'socket files removed');
    const stopped = h.daemon.logs().find((l) => l.msg.startsWith('stopped'));
    assert.deepEqual([stopped?.received, stopped?.passed], [500, 500]);
    await h.stop();
  });
});
