// A syslog-ng restarted four times under a steady stream (TCP and TLS): nothing acknowledged is lost, every record
// arrives in the end, and only what was unacknowledged may arrive twice.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { setTimeout as sleep } from 'node:timers/promises';
import syslog from '../../../adapters/syslog/index.ts';
import type { Destination } from '../../../src/pipeline/destination.ts';
import { runDestination } from '../../helpers/run-destination.ts';
import { SyslogNg } from '../../helpers/syslog-ng.ts';
import { capturedLogger, sampleRecord } from '../../standins/sample-records.ts';

let server: SyslogNg;
before(async () => {
  server = await SyslogNg.start();
});
after(async () => {
  await server.stop();
});

const N = 50_000;
const STREAMS = 50;

for (const transport of ['tcp', 'tls'] as const) {
  test(`${transport}: restarts mid-stream lose nothing that was acknowledged`, { timeout: 180_000 }, async () => {
    const tag = `restart-${transport}`;
    const port = transport === 'tcp' ? server.ports.tcpOctet : server.ports.tls;
    const options = syslog.schema.parse({
      type: 'syslog',
      url: `${transport}://127.0.0.1:${port}`,
      message: 'text',
      app_name: tag,
      flush_interval: '250ms',
      ...(transport === 'tls' ? { tls: { ca: server.pki.caFile } } : {}),
    });
    const d = syslog.create(options, { id: 'syslog', host: 'h', logger: capturedLogger().logger }) as Destination<string>;
    await d.start();
    const { runner, done, runnerLogs } = runDestination(d, []);
    // Acknowledged records, by message, at the moment of each restart: all of them must be in the file in the end.
    const ackedAtRestart: number[] = [];
    try {
      const feeding = (async () => {
        // About 10,000 records/s for 5 s.
        for (let i = 0; i < N; i += 100) {
          for (let j = i; j < i + 100; j++) runner.push(sampleRecord(j, { services: STREAMS, message: `${tag}-${j}` }));
          await sleep(10);
        }
      })();
      for (let k = 0; k < 4; k++) {
        await sleep(1000);
        ackedAtRestart.push(done.length);
        await server.restart();
      }
      await feeding;
      assert.equal(await runner.flush(90_000), true, 'every record acknowledged in the end');
    } finally {
      await runner.close();
    }
    const counts = new Map<string, number>();
    const messages = await server.waitFor((ms) => new Set(ms.filter((m) => m.program === tag).map((m) => m.msg)).size >= N, `${N} distinct records`, 30_000).catch(() => server.messages());
    for (const m of messages) if (m.program === tag) counts.set(m.msg, (counts.get(m.msg) ?? 0) + 1);
    const missing: number[] = [];
    let duplicates = 0;
    for (let j = 0; j < N; j++) {
      const c = counts.get(`${tag}-${j}`) ?? 0;
      if (c === 0) missing.push(j);
      duplicates += Math.max(0, c - 1);
    }
    assert.deepEqual(missing.slice(0, 20), [], `${missing.length} records lost, on streams ${[...new Set(missing.map((j) => j % STREAMS))].join(', ')} (acknowledged before the restarts: ${ackedAtRestart.join(', ')})`);
    assert.equal(done.length, N);
    assert.ok(ackedAtRestart.some((n) => n > 0 && n < N), `the restarts happened mid-stream (acknowledged then: ${ackedAtRestart.join(', ')})`);
    assert.ok(runnerLogs.some((l) => l.includes('send failed; retrying')), 'the restarts were felt: batches were retried');
    // Only batches that were unacknowledged when a connection failed are sent twice: a few per restart, per stream.
    assert.ok(duplicates <= 4 * STREAMS * 1000, `${duplicates} duplicates`);
  });
}
