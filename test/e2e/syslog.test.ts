// End to end: a real journald namespace -> `journal-fanout run` -> a real syslog-ng, over TCP and TLS; and a syslog
// server that is down at start: the other destinations keep shipping, syslog catches up when it comes back.
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import path from 'node:path';
import { describe, test } from 'node:test';
import { Daemon, workDir, writeConfig } from '../helpers/daemon.ts';
import { TestJournal, type TestEntry } from '../helpers/journald.ts';
import { SyslogNg, type ReceivedMessage } from '../helpers/syslog-ng.ts';

const ID = 'jf-syslog-e2e';
const CONTAINERS = 10;
const SEVERITIES = ['emerg', 'alert', 'crit', 'err', 'warning', 'notice', 'info', 'debug'];

function entries(from: number, to: number): TestEntry[] {
  return Array.from({ length: to - from }, (_, k) => {
    const i = from + k;
    const c = i % CONTAINERS;
    return { MESSAGE: `syslog-e2e-${i}`, SYSLOG_IDENTIFIER: ID, PRIORITY: i % 8, CONTAINER_ID: `5e5e${String(c).padStart(8, '0')}`, CONTAINER_NAME: `web-${c}` };
  });
}

/** How many times each syslog-e2e-N of [from, to) arrived; the missing ones. */
function tally(messages: string[], from: number, to: number): { missing: number[]; duplicates: number } {
  const counts = new Map<string, number>();
  for (const m of messages) counts.set(m, (counts.get(m) ?? 0) + 1);
  const missing: number[] = [];
  let duplicates = 0;
  for (let i = from; i < to; i++) {
    const n = counts.get(`syslog-e2e-${i}`) ?? 0;
    if (n === 0) missing.push(i);
    duplicates += Math.max(0, n - 1);
  }
  return { missing, duplicates };
}

describe('journal -> journal-fanout run -> syslog-ng', { timeout: 240_000 }, () => {
  test('every entry arrives once over TCP (RFC 5424, JSON) and TLS (RFC 3164, text), with the container as APP-NAME and PROCID', async () => {
    const N = 5000;
    const journal = await TestJournal.start();
    const server = await SyslogNg.start();
    try {
      const dir = await workDir();
      const stateDir = path.join(dir, 'state');
      const configFile = await writeConfig(dir, {
        journal: { namespace: journal.namespace, start: 'head', matches: [`SYSLOG_IDENTIFIER=${ID}`] },
        state: { directory: stateDir },
        records: { multiline: { enabled: false } },
        pipeline: { checkpoint_interval: '100ms' },
        destinations: [
          { type: 'syslog', name: 'syslog-tcp', url: `tcp://127.0.0.1:${server.ports.tcpOctet}`, facility: 'local5', structured_data: '[jf@32473 service="{service}" image="{container.image|\\"none\\"}"]', flush_interval: '100ms' },
          { type: 'syslog', name: 'syslog-tls', url: `tls://127.0.0.1:${server.ports.tls}`, format: 'rfc3164', message: 'text', facility: 'local5', tls: { ca: server.pki.caFile }, flush_interval: '100ms' },
        ],
        metrics: { listen: null },
        log: { level: 'info' },
      });
      const daemon = new Daemon(['run', '--config', configFile]);
      await daemon.waitFor(() => daemon.stderr.includes('reading the journal'), 'reader start');
      await journal.send(entries(0, N));
      const byListener = (src: string) => (ms: ReceivedMessage[]) => ms.filter((m) => m.src === src && m.msg.includes('syslog-e2e-'));
      const tcpOf = byListener('s_tcp_octet');
      const tlsOf = byListener('s_tls_octet');
      await server.waitFor((ms) => tcpOf(ms).length >= N && tlsOf(ms).length >= N, `${N} messages on each listener`, 120_000);
      const tcp = tcpOf(server.messages());
      const tls = tlsOf(server.messages());
      const tcpText = tcp.map((m) => (JSON.parse(m.msg) as { message: string }).message);
      assert.deepEqual(tally(tcpText, 0, N), { missing: [], duplicates: 0 });
      assert.deepEqual(tally(tls.map((m) => m.msg), 0, N), { missing: [], duplicates: 0 });
      for (const [m, text] of [...tcp.map((m, k) => [m, tcpText[k]!] as const), ...tls.map((m) => [m, m.msg] as const)]) {
        const i = Number(text.slice('syslog-e2e-'.length));
        const c = i % CONTAINERS;
        assert.equal(m.program, `web-${c}`, 'APP-NAME / TAG: the service (the container name without ECS labels)');
        assert.equal(m.pid, `5e5e${String(c).padStart(8, '0')}`, 'PROCID: the stream (the container ID)');
        assert.equal(m.severity, SEVERITIES[i % 8], 'severity from PRIORITY');
        assert.equal(m.facility, 'local5');
      }
      assert.deepEqual(tcp[0]!._SDATA, { 'jf@32473': { service: tcp[0]!.program, image: 'none' } });
      assert.ok(daemon.logs().some((l) => l.destination === 'syslog-tls' && l.msg === 'connected to the syslog server (start-up healthcheck)'));
      assert.equal((await daemon.stop('SIGTERM')).code, 0, daemon.stderr.slice(-2000));
      for (const name of ['syslog-tcp', 'syslog-tls']) assert.ok(existsSync(path.join(stateDir, `${name}.checkpoint.json`)), `${name} checkpoint written`);
    } finally {
      await server.stop();
      await journal.stop();
    }
  });

  test('the syslog server is down: stdout ships everything; syslog is detached, and catches up once the server is back', async () => {
    const N = 8000;
    const journal = await TestJournal.start();
    const server = await SyslogNg.start();
    await server.stop();
    try {
      const dir = await workDir();
      const configFile = await writeConfig(dir, {
        journal: { namespace: journal.namespace, start: 'head', matches: [`SYSLOG_IDENTIFIER=${ID}`] },
        state: { directory: path.join(dir, 'state') },
        records: { multiline: { enabled: false } },
        // A buffer smaller than the outage's backlog: syslog must be detached, not hold stdout back.
        pipeline: { checkpoint_interval: '100ms', buffer_records: 1000, detach_after: '500ms' },
        destinations: [
          { type: 'syslog', url: `tcp://127.0.0.1:${server.ports.tcpOctet}`, message: 'text', flush_interval: '100ms' },
          { type: 'stdout', format: 'text' },
        ],
        metrics: { listen: null },
        log: { level: 'info' },
      });
      const daemon = new Daemon(['run', '--config', configFile]);
      await daemon.waitFor(() => daemon.stderr.includes('reading the journal'), 'reader start');
      const startWarning = daemon.logs().find((l) => l.destination === 'syslog' && l.msg === 'destination start-up check failed; sends will be retried');
      assert.match(String(startWarning?.reason), /^tcp:\/\/127\.0\.0\.1:\d+: cannot connect: .*ECONNREFUSED.*is the syslog server running/);
      await journal.send(entries(0, N));
      const printed = () => daemon.stdout.split('\n').map((l) => l.slice(l.lastIndexOf(' ') + 1));
      await daemon.waitFor(() => tally(printed(), 0, N).missing.length === 0, 'stdout to have every entry', 60_000);
      await daemon.waitFor(() => daemon.logs().some((l) => l.destination === 'syslog' && l.msg.startsWith('destination fell behind its buffer: detached')), 'syslog to be detached');
      await server.restart();
      const texts = () => server.messages().map((m) => m.msg);
      await server.waitFor(() => tally(texts(), 0, N).missing.length === 0, 'syslog to catch up', 120_000);
      await daemon.waitFor(() => daemon.logs().some((l) => l.destination === 'syslog' && l.msg.startsWith('destination caught up and rejoined')), 'syslog to rejoin', 60_000);
      assert.equal(tally(texts(), 0, N).missing.length, 0);
      assert.equal((await daemon.stop('SIGTERM')).code, 0);
    } finally {
      await server.stop();
      await journal.stop();
    }
  });
});
