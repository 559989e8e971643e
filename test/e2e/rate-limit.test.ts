// End to end (issue 7): one flooding container is limited, the other 20 lose nothing, the notices say how
// many were dropped, and /metrics counts the same drops.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { Daemon, workDir, writeConfig } from '../helpers/daemon.ts';
import { makeJournalDirectory, type OfflineEntry } from '../helpers/journal-files.ts';

const NOISY = process.env.JF_SOAK === '1' ? 100_000 : 20_000;
const QUIET_CONTAINERS = 20;
const QUIET_EACH = 100;
const BURST = 1000;

test('a flooding container is limited to its burst with two notices; the others arrive whole', { timeout: 180_000 }, async () => {
  // Journal time is set by the files: all of it inside one 60 s window, an hour ago.
  const t0 = Date.now() * 1000 - 3_600_000_000;
  const boot = 'cccccccccccccccccccccccccccccccc';
  const entries: OfflineEntry[] = [];
  let n = 0;
  const at = () => ({ realtimeUs: t0 + n * 100, monotonicUs: 1_000_000 + n++ * 100, bootId: boot });
  for (let i = 0; i < NOISY; i++) {
    entries.push({ message: `noisy-${i}`, ...at(), fields: { CONTAINER_ID: 'a0a0a0a0a0a0', CONTAINER_NAME: 'noisy' } });
    if (i % (NOISY / QUIET_EACH) === 0) {
      for (let c = 0; c < QUIET_CONTAINERS; c++) {
        entries.push({ message: `quiet-${c}-${i / (NOISY / QUIET_EACH)}`, ...at(), fields: { CONTAINER_ID: `b0b0b0b0b0${String(c).padStart(2, '0')}`, CONTAINER_NAME: `quiet-${c}` } });
      }
    }
  }
  const directory = await makeJournalDirectory(entries);
  const dir = await workDir();
  const file = await writeConfig(dir, {
    journal: { directory, start: 'head' },
    state: { directory: `${dir}/state` },
    rate_limit: { interval: '60s', burst: BURST },
    destinations: [{ type: 'stdout' }],
    metrics: { listen: '127.0.0.1:0' },
  });
  const daemon = new Daemon(['run', '--config', file]);
  const notices = () => daemon.records().filter((r) => r.message.startsWith('journal-fanout:'));
  await daemon.waitFor(() => notices().some((r) => r.message.includes('dropped')), 'the "dropped N messages" notice', 120_000);

  const records = daemon.records();
  const byContainer = new Map<string, string[]>();
  for (const r of records) {
    const stream = (r.data as { stream: string }).stream;
    byContainer.set(stream, [...(byContainer.get(stream) ?? []), r.message]);
  }
  for (let c = 0; c < QUIET_CONTAINERS; c++) {
    const got = byContainer.get(`b0b0b0b0b0${String(c).padStart(2, '0')}`) ?? [];
    assert.deepEqual(got, Array.from({ length: QUIET_EACH }, (_, k) => `quiet-${c}-${k}`), `quiet container ${c} arrived whole, in order`);
  }
  const noisy = byContainer.get('a0a0a0a0a0a0') ?? [];
  const passed = noisy.filter((m) => m.startsWith('noisy-'));
  assert.deepEqual(passed, Array.from({ length: BURST }, (_, i) => `noisy-${i}`), 'the first `burst` records pass');
  const said = noisy.filter((m) => m.startsWith('journal-fanout:'));
  assert.equal(said.length, 2, said.join('\n'));
  assert.match(said[0]!, /beginning to drop messages/);
  assert.match(said[1]!, new RegExp(`dropped ${NOISY - BURST} messages`));
  const levels = records.filter((r) => r.message.startsWith('journal-fanout:')).map((r) => r.level);
  assert.deepEqual(levels, ['WARN', 'WARN']);

  const listen = daemon.logs().find((l) => l.msg === 'serving /metrics and /healthz')?.listen as string;
  const metrics = await (await fetch(`http://${listen}/metrics`)).text();
  const dropped = /journal_fanout_ratelimit_dropped_records_total\{service="noisy"\} (\d+)/.exec(metrics);
  assert.equal(Number(dropped?.[1]), NOISY - BURST, 'metrics count every dropped record');
  assert.equal((await daemon.stop()).code, 0);
});
