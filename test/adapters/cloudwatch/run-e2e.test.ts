// End to end: a real journald namespace -> `journal-fanout run` -> CloudWatch stand-in, then a clean SIGTERM.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { readFile, rm, writeFile } from 'node:fs/promises';
import { tempDir } from '../../helpers/temp-dir.ts';
import path from 'node:path';
import { stringify } from 'yaml';
import { Daemon } from '../../helpers/daemon.ts';
import { TestJournal, type TestEntry } from '../../helpers/journald.ts';
import { startCloudWatchStandin, type CloudWatchStandin } from '../../standins/cloudwatch/index.ts';
import { STANDIN_AWS_ENV, STANDIN_SECRET_ACCESS_KEY } from '../../standins/cloudwatch/credentials.ts';

const IDS = ['jf-cw-api', 'jf-cw-worker'];
const COUNT = 1000;
const entry = (id: string, i: number): TestEntry => ({ MESSAGE: `${id} ${i}`, SYSLOG_IDENTIFIER: id, PRIORITY: 6 });

describe('journal -> journal-fanout run -> CloudWatch stand-in', { timeout: 120_000 }, () => {
  let journal: TestJournal;
  let standin: CloudWatchStandin;
  let configFile: string;
  let stateDir: string;
  let dir: string;

  before(async () => {
    standin = await startCloudWatchStandin();
    journal = await TestJournal.start('jfcw');
    dir = tempDir('jf-cw-e2e-');
    stateDir = path.join(dir, 'state');
    configFile = path.join(dir, 'config.yaml');
    await writeFile(configFile, stringify({
      journal: { namespace: journal.namespace, start: 'head', matches: IDS.map((id) => `SYSLOG_IDENTIFIER=${id}`) },
      state: { directory: stateDir },
      records: { multiline: { enabled: false } },
      destinations: [
        { type: 'cloudwatch', region: 'us-east-1', endpoint: standin.endpoint, group: '/e2e/{identifier}', stream: '{host}', message_format: 'text', flush_interval: '100ms', retention_days: 7 },
      ],
      metrics: { listen: null },
    }));
  });

  after(async () => {
    await journal?.stop();
    await standin?.close();
    await rm(dir, { recursive: true, force: true });
  });

  test('every entry arrives once, in its group, in journal order; SIGTERM exits 0 with a checkpoint', async () => {
    const entries: TestEntry[] = [];
    for (let i = 0; i < COUNT; i++) for (const id of IDS) entries.push(entry(id, i));
    await journal.send(entries);
    for (const id of IDS) await journal.waitForCount(COUNT, `SYSLOG_IDENTIFIER=${id}`);
    const env = { ...STANDIN_AWS_ENV };
    const daemon = new Daemon(['run', '--config', configFile], env);
    const stored = () => standin.counters.acceptedEvents;
    await daemon.waitFor(() => stored() >= entries.length, `${entries.length} events in the stand-in`, 60_000);
    const { code } = await daemon.stop('SIGTERM');
    assert.equal(code, 0, daemon.stderr.slice(-2000));

    assert.deepEqual([...standin.groups.keys()].sort(), IDS.map((id) => `/e2e/${id}`));
    for (const id of IDS) {
      const group = standin.groups.get(`/e2e/${id}`)!;
      assert.equal(group.retentionInDays, 7);
      assert.equal(group.streams.size, 1);
      const [stream] = group.streams.values();
      assert.deepEqual(stream!.events.map((e) => e.message), Array.from({ length: COUNT }, (_, i) => `${id} ${i}`));
    }
    assert.equal(stored(), entries.length, 'nothing twice');
    assert.equal(standin.counters.errors.InvalidParameterException, undefined);
    assert.ok(!daemon.stderr.includes(STANDIN_SECRET_ACCESS_KEY), 'the secret key is never logged');
    const checkpoint = JSON.parse(await readFile(path.join(stateDir, 'cloudwatch.checkpoint.json'), 'utf8')) as { cursor: string };
    // Entries alternate between the identifiers, so the last one written is the second identifier's last.
    const last = (await journal.readAll(`SYSLOG_IDENTIFIER=${IDS[1]}`)).at(-1)!;
    assert.equal(checkpoint.cursor, last.cursor);
  });
});
