// End to end: a real journald namespace -> `journal-fanout run` -> two forward stand-ins (shared key), one killed
// mid-stream; then every server down: stdout keeps shipping, forward is detached and catches up when one returns.
import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { describe, test } from 'node:test';
import { Daemon, workDir, writeConfig } from '../helpers/daemon.ts';
import { TestJournal, type TestEntry } from '../helpers/journald.ts';
import { startForwardStandin, type ForwardReceived, type ForwardStandin } from '../standins/forward/index.ts';

const SHARED_KEY = 'e2e-forward-shared-key-secret';
const IDS = ['jf-fwd-api', 'jf-fwd-worker'];
const entry = (id: string, i: number): TestEntry => ({ MESSAGE: `${id} ${i}`, SYSLOG_IDENTIFIER: id, PRIORITY: 6 });
const messageOf = (r: ForwardReceived) => r.record.message as string;

function counts(received: readonly ForwardReceived[]): Map<string, number> {
  const out = new Map<string, number>();
  for (const r of received) out.set(messageOf(r), (out.get(messageOf(r)) ?? 0) + 1);
  return out;
}

describe('journal -> journal-fanout run -> forward stand-ins', { timeout: 180_000 }, () => {
  test('every entry arrives, tagged, with its journal time; a server killed mid-stream loses nothing; SIGTERM exits 0 with a checkpoint', async () => {
    const journal = await TestJournal.start('jffw');
    const a = await startForwardStandin({ name: 'agg-a', sharedKey: SHARED_KEY });
    const b = await startForwardStandin({ name: 'agg-b', sharedKey: SHARED_KEY });
    const dir = await workDir();
    const stateDir = path.join(dir, 'state');
    let daemon: Daemon | undefined;
    try {
      const configFile = await writeConfig(dir, {
        journal: { namespace: journal.namespace, start: 'head', matches: IDS.map((id) => `SYSLOG_IDENTIFIER=${id}`) },
        state: { directory: stateDir },
        records: { multiline: { enabled: false } },
        pipeline: { checkpoint_interval: '100ms' },
        destinations: [
          {
            type: 'forward',
            servers: [{ host: a.host, port: a.port }, { host: b.host, port: b.port }],
            shared_key: '${FORWARD_SHARED_KEY}',
            tag: 'e2e.{identifier}',
            flush_interval: '100ms',
            max_batch_events: 200,
            ack_timeout: '10s',
            recover_interval: '500ms',
          },
        ],
        metrics: { listen: null },
      });
      const first: TestEntry[] = [];
      for (let i = 0; i < 1000; i++) for (const id of IDS) first.push(entry(id, i));
      await journal.send(first);
      for (const id of IDS) await journal.waitForCount(1000, `SYSLOG_IDENTIFIER=${id}`);
      daemon = new Daemon(['run', '--config', configFile], { FORWARD_SHARED_KEY: SHARED_KEY });
      const unique = () => counts([...a.received, ...b.received]).size;
      await daemon.waitFor(() => a.received.length > 0 && b.received.length > 0, 'both servers to take batches');
      await daemon.waitFor(() => unique() >= 500, 'the first entries');
      await a.stop();
      // After stop(): nothing more reaches a, so this is everything it ever took.
      const takenByA = new Set(a.received.map(messageOf));
      const second: TestEntry[] = [];
      for (let i = 1000; i < 2000; i++) for (const id of IDS) second.push(entry(id, i));
      await journal.send(second);
      await daemon.waitFor(() => unique() >= 4000, 'all 4000 entries', 60_000);
      const { code } = await daemon.stop('SIGTERM');
      assert.equal(code, 0, daemon.stderr.slice(-2000));

      const all = [...a.received, ...b.received];
      const tally = counts(all);
      for (const id of IDS) for (let i = 0; i < 2000; i++) assert.ok(tally.has(`${id} ${i}`), `${id} ${i} missing`);
      for (const [message, n] of tally) if (n > 1) assert.ok(takenByA.has(message), `${message} arrived ${n} times but the killed server never took it`);
      // Tags from the template; EventTime is the journal's time (records carry milliseconds).
      const byMessage = new Map(all.map((r) => [messageOf(r), r]));
      for (const id of IDS) {
        for (const e of await journal.readAll(`SYSLOG_IDENTIFIER=${id}`)) {
          const r = byMessage.get(e.fields.MESSAGE as string)!;
          assert.equal(r.tag, `e2e.${id}`);
          const ms = Math.floor(Number(e.realtimeUs) / 1000);
          assert.deepEqual(r.time, { sec: Math.floor(ms / 1000), nsec: (ms % 1000) * 1_000_000 });
          assert.equal((r.record.data as { identifier: string }).identifier, id);
        }
      }
      assert.deepEqual([...a.violations, ...b.violations, ...a.authFailures, ...b.authFailures], []);
      assert.ok(b.counters.handshakes > 0);
      assert.ok(daemon.logs().some((l) => l.msg === 'forward server is down; its batches go to the other servers'));
      assert.ok(!daemon.stderr.includes(SHARED_KEY), 'the shared key is never logged');
      const checkpoint = JSON.parse(await readFile(path.join(stateDir, 'forward.checkpoint.json'), 'utf8')) as { cursor: string };
      const last = (await journal.readAll(`SYSLOG_IDENTIFIER=${IDS[1]}`)).at(-1)!;
      assert.equal(checkpoint.cursor, last.cursor);
    } finally {
      await daemon?.stop();
      await journal.stop();
      await a.close();
      await b.close();
    }
  });

  test('no forward server up: stdout ships everything, forward is detached alone; a server that starts gets every entry', async () => {
    const journal = await TestJournal.start('jffd');
    let server: ForwardStandin | undefined = await startForwardStandin({ name: 'late' });
    const port = server.port;
    await server.close();
    server = undefined;
    const dir = await workDir();
    let daemon: Daemon | undefined;
    const N = 3000;
    try {
      const configFile = await writeConfig(dir, {
        journal: { namespace: journal.namespace, start: 'head', matches: [`SYSLOG_IDENTIFIER=${IDS[0]}`] },
        state: { directory: path.join(dir, 'state') },
        records: { multiline: { enabled: false } },
        pipeline: { buffer_records: 500, detach_after: '300ms', checkpoint_interval: '100ms' },
        destinations: [
          { type: 'forward', servers: [{ host: '127.0.0.1', port }], tag: 'late', flush_interval: '100ms', recover_interval: '300ms', connect_timeout: '1s' },
          { type: 'stdout', format: 'text' },
        ],
        metrics: { listen: null },
        log: { level: 'info' },
      });
      daemon = new Daemon(['run', '--config', configFile]);
      await daemon.waitFor(() => daemon!.stderr.includes('reading the journal'), 'reader start');
      assert.ok(daemon.logs().some((l) => l.msg === 'destination start-up check failed; sends will be retried' && String(l.reason).includes('no forward server answered')));
      await journal.send(Array.from({ length: N }, (_, i) => entry(IDS[0]!, i)));
      const printed = () => daemon!.stdout.split('\n').filter((l) => l.includes(`${IDS[0]} `)).length;
      await daemon.waitFor(() => printed() >= N, 'stdout to print every entry', 60_000);
      await daemon.waitFor(() => daemon!.logs().some((l) => l.msg.startsWith('destination fell behind its buffer: detached') && l.destination === 'forward'), 'forward to be detached');
      assert.ok(!daemon.logs().some((l) => l.msg.startsWith('destination fell behind its buffer: detached') && l.destination === 'stdout'), 'stdout never detached');
      server = await startForwardStandin({ name: 'late', port });
      const s = server;
      await daemon.waitFor(() => counts(s.received).size >= N, 'the forward server to get every entry', 90_000);
      for (let i = 0; i < N; i++) assert.ok(counts(s.received).has(`${IDS[0]} ${i}`));
      assert.equal((await daemon.stop('SIGTERM')).code, 0);
    } finally {
      await daemon?.stop();
      await journal.stop();
      await server?.close();
    }
  });
});
