// End to end: a real journald namespace -> `journal-fanout run` -> CloudWatch stand-in -> `journal-fanout logs`,
// reading with the forwarder's own config: services, streams, events, templates, filters, and following.
import assert from 'node:assert/strict';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { Daemon, workDir, writeConfig } from '../helpers/daemon.ts';
import { TestJournal, type TestEntry } from '../helpers/journald.ts';
import { startCloudWatchStandin, type CloudWatchStandin } from '../standins/cloudwatch/index.ts';
import { STANDIN_AWS_ENV } from '../standins/cloudwatch/credentials.ts';

const ID = 'jf-logs-e2e';
const CONTAINERS = [
  { name: 'api', id: 'a11ce0000001' },
  { name: 'api', id: 'a11ce0000002' },
  { name: 'billing', id: 'b0b000000001' },
];
/** Level of JSON line i: info, then error and warn in turn (every third line is plain text). */
const levelOf = (i: number) => (i % 3 === 0 ? 'info' : i % 6 === 1 ? 'error' : 'warn');

/** Entry i of a container, as Docker's journald driver writes it; every third one is plain text. */
function entry(c: (typeof CONTAINERS)[number], i: number): TestEntry {
  const text = `${c.name}/${c.id} line ${i}`;
  const message = i % 3 === 2 ? `INFO ${text}` : JSON.stringify({ level: levelOf(i), msg: text, n: i });
  return { MESSAGE: message, SYSLOG_IDENTIFIER: ID, CONTAINER_ID: c.id, CONTAINER_NAME: c.name, IMAGE_NAME: `${c.name}:1`, PRIORITY: 6 };
}

const lines = (text: string) => text.split('\n').filter((l) => l.length > 0);

describe('journal -> run -> CloudWatch stand-in -> logs', { timeout: 180_000 }, () => {
  let journal: TestJournal;
  let standin: CloudWatchStandin;
  let daemon: Daemon;
  let configFile: string;
  const sent = new Map<string, string[]>();
  const logs = async (...args: string[]) => {
    const cli = new Daemon(['logs', '--config', configFile, ...args], STANDIN_AWS_ENV);
    const { code } = await cli.exited;
    return { code, stdout: cli.stdout, stderr: cli.stderr };
  };

  before(async () => {
    // Small FilterLogEvents pages: the reads page through partial and empty pages.
    standin = await startCloudWatchStandin({ paging: { eventsScanned: 40 } });
    journal = await TestJournal.start('jflogs');
    const dir = await workDir();
    configFile = await writeConfig(dir, {
      journal: { namespace: journal.namespace, start: 'head', matches: [`SYSLOG_IDENTIFIER=${ID}`] },
      state: { directory: path.join(dir, 'state') },
      records: { multiline: { enabled: false } },
      destinations: [
        // Never reached (nothing listens on 127.0.0.1:9); only there to show that `logs` does not need its token.
        { type: 'loggly', endpoint: 'http://127.0.0.1:9', token: '${LOGGLY_TOKEN}', healthcheck: false },
        { type: 'cloudwatch', region: 'us-east-1', endpoint: standin.endpoint, group: '/e2e/{service}', stream: '{container.name}-{container.id}', flush_interval: '100ms' },
      ],
      metrics: { listen: null },
    });
    const entries: TestEntry[] = [];
    for (let i = 0; i < 100; i++) for (const c of CONTAINERS) if (c.name === 'api' || i < 40) entries.push(entry(c, i));
    await journal.send(entries);
    await journal.waitForCount(entries.length, `SYSLOG_IDENTIFIER=${ID}`);
    for (const e of entries) {
      const key = `${e.CONTAINER_NAME as string}`;
      const m = String(e.MESSAGE);
      sent.set(key, [...(sent.get(key) ?? []), m.startsWith('{') ? (JSON.parse(m) as { msg: string }).msg : m]);
    }
    daemon = new Daemon(['run', '--config', configFile], { ...STANDIN_AWS_ENV, LOGGLY_TOKEN: 'unused' });
    await daemon.waitFor(() => standin.counters.acceptedEvents >= entries.length, `${entries.length} events in the stand-in`, 60_000);
  });

  after(async () => {
    await daemon?.stop('SIGTERM');
    await journal?.stop();
    await standin?.close();
  });

  test('services and streams are the forwarder\'s groups and streams', async () => {
    const services = await logs('services', '--json');
    assert.equal(services.code, 0, services.stderr);
    assert.deepEqual(lines(services.stdout).map((l) => (JSON.parse(l) as { service: string; group: string }).group), ['/e2e/api', '/e2e/billing']);
    const streams = await logs('streams', 'api');
    assert.equal(streams.code, 0, streams.stderr);
    assert.deepEqual(lines(streams.stdout).slice(1).map((l) => l.split(/\s+/)[0]).sort(), ['api-a11ce0000001', 'api-a11ce0000002']);
  });

  test('every record shipped comes back once, as shipped (--json) and through templates', async () => {
    const json = await logs('api', '--since', '1h', '--json');
    assert.equal(json.code, 0, json.stderr);
    const records = lines(json.stdout).map((l) => JSON.parse(l) as { message: string; level: string; data: { service: string; container: { id: string } } });
    assert.deepEqual(records.map((r) => r.message).sort(), [...sent.get('api')!].sort());
    assert.ok(records.every((r) => r.data.service === 'api'));
    const perContainer = (id: string) => records.filter((r) => r.data.container.id === id).map((r) => r.message);
    assert.deepEqual(perContainer('a11ce0000001'), sent.get('api')!.filter((m) => m.includes('a11ce0000001')), 'journal order within a container');

    const one = await logs('api', 'api-a11ce0000002', '--format', '{container.id} {level} {fields.n|"-"} {message}');
    assert.equal(one.code, 0, one.stderr);
    const out = lines(one.stdout);
    assert.equal(out.length, 100);
    assert.equal(out[0], 'a11ce0000002 info 0 api/a11ce0000002 line 0');
    assert.equal(out[1], 'a11ce0000002 error 1 api/a11ce0000002 line 1');
    assert.equal(out[4], 'a11ce0000002 warning 4 api/a11ce0000002 line 4');
    assert.equal(out[2], 'a11ce0000002 info - INFO api/a11ce0000002 line 2');

    const errors = await logs('billing', '--filter', '{ $.level = "ERROR" }', '--format', '{message}');
    assert.equal(errors.code, 0, errors.stderr);
    const expectedErrors = Array.from({ length: 40 }, (_, i) => i).filter((i) => i % 3 !== 2 && levelOf(i) === 'error');
    assert.deepEqual(lines(errors.stdout), expectedErrors.map((i) => `billing/b0b000000001 line ${i}`));

    const unknown = await logs('biling');
    assert.equal(unknown.code, 1);
    assert.match(unknown.stderr, /unknown service "biling" .*did you mean:\n {2}billing\n/s);
  });

  test('--follow shows the backlog, then what the forwarder ships while following, each once', async () => {
    const follower = new Daemon(['logs', '--config', configFile, 'billing', '-f', '--interval', '200ms', '--format', '{message}'], STANDIN_AWS_ENV);
    try {
      await follower.waitFor(() => lines(follower.stdout).length >= 40, 'the backlog of 40 lines');
      const more: TestEntry[] = Array.from({ length: 30 }, (_, k) => entry(CONTAINERS[2]!, 40 + k));
      await journal.send(more);
      const expected = [...sent.get('billing')!, ...more.map((e) => (String(e.MESSAGE).startsWith('{') ? (JSON.parse(String(e.MESSAGE)) as { msg: string }).msg : String(e.MESSAGE)))];
      await follower.waitFor(() => lines(follower.stdout).length >= 70, '70 lines');
      // A few more polls, deep ones included: nothing comes twice.
      await new Promise((r) => setTimeout(r, 2500));
      const { code } = await follower.stop('SIGTERM');
      assert.equal(code, 0, follower.stderr);
      assert.deepEqual(lines(follower.stdout), expected);
    } finally {
      await follower.stop('SIGKILL');
    }
  });
});
