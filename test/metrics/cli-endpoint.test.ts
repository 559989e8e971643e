// `journal-fanout run` serves /metrics and /healthz on metrics.listen, with the pipeline's counters wired in.
import assert from 'node:assert/strict';
import { rm } from 'node:fs/promises';
import path from 'node:path';
import { test } from 'node:test';
import { Daemon, workDir, writeConfig } from '../helpers/daemon.ts';
import { makeJournalDirectory } from '../helpers/journal-files.ts';
import { get, sample, until } from './helpers.ts';

test('the daemon serves its metrics and health while it runs, and exits 0 on SIGTERM', { timeout: 60_000 }, async () => {
  const t0 = Date.now() * 1000 - 10_000_000;
  const journalDir = await makeJournalDirectory(
    Array.from({ length: 25 }, (_, i) => ({ message: `cli-${i}`, bootId: 'fedcba9876543210fedcba9876543210', realtimeUs: t0 + i * 1000, monotonicUs: 5_000_000 + i * 1000 })),
  );
  const dir = await workDir();
  const config = await writeConfig(dir, {
    journal: { directory: journalDir, start: 'head' },
    state: { directory: path.join(dir, 'state') },
    records: { multiline: { enabled: false } },
    destinations: [{ type: 'stdout' }],
    metrics: { listen: '127.0.0.1:0' },
  });
  const daemon = new Daemon(['run', '--config', config]);
  try {
    await daemon.waitFor(() => daemon.logs().some((l) => l.msg === 'serving /metrics and /healthz'), 'the metrics endpoint');
    const listen = String(daemon.logs().find((l) => l.msg === 'serving /metrics and /healthz')!.listen);
    const port = Number(listen.slice(listen.lastIndexOf(':') + 1));
    assert.match(listen, /^127\.0\.0\.1:\d+$/);
    await daemon.waitFor(() => daemon.records().length === 25, '25 records on stdout');
    let text = '';
    await until(async () => {
      text = (await get(port, '/metrics')).body;
      return sample(text, 'journal_fanout_destination_checkpoint_lag_entries', { destination: 'stdout' }) === 0;
    }, 'every entry acknowledged');
    assert.equal(sample(text, 'journal_fanout_journal_entries_read_total'), 25);
    assert.equal(sample(text, 'journal_fanout_destination_sent_events_total', { destination: 'stdout' }), 25);
    assert.equal(sample(text, 'journal_fanout_destination_failed', { destination: 'stdout', type: 'stdout' }), 0);
    const health = await get(port, '/healthz');
    assert.equal(health.status, 200, health.body);
  } finally {
    const { code } = await daemon.stop('SIGTERM');
    assert.equal(code, 0, daemon.stderr);
    await rm(dir, { recursive: true, force: true });
    await rm(journalDir, { recursive: true, force: true });
  }
});
