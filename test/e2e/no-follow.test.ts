// `run --no-follow` reads the journal to its end and exits once every destination has what it read, a
// detached one's catch-up included. Then no reader holds the event loop: it must not empty while a catch-up
// still waits for a batch to age out (it did: exit code 13, "unsettled top-level await", entries undelivered).
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { Daemon } from '../helpers/daemon.ts';
import { STANDIN_AWS_ENV as AWS_ENV } from '../standins/cloudwatch/credentials.ts';
import { cloudwatchMessages, faultEntries, logglyMessages, startFanout, stdoutMessages, tally } from './fanout.ts';

describe('run --no-follow', { timeout: 300_000 }, () => {
  test('after a CloudWatch outage: the catch-up ends, the daemon exits 0 with every entry delivered everywhere', async () => {
    const N = 20_000;
    const f = await startFanout({ buffer_records: 2000, detach_after: '500ms' });
    let daemon: Daemon | undefined;
    try {
      await f.journal.send(faultEntries(0, N));
      await f.cwSwitch.down();
      daemon = new Daemon(['run', '--config', f.configFile, '--no-follow'], AWS_ENV);
      await daemon.waitFor(() => daemon!.stderr.includes('destination fell behind its buffer'), 'CloudWatch to be detached', 60_000);
      await f.cwSwitch.up();
      const exit = await Promise.race([daemon.exited, new Promise<'late'>((r) => setTimeout(() => r('late'), 120_000).unref())]);
      assert.notEqual(exit, 'late', 'the daemon was still running 120 s after the outage');
      assert.deepEqual(exit, { code: 0, signal: null }, daemon.stderr.slice(-3000));
      assert.deepEqual(tally(stdoutMessages(daemon.stdout), 0, N).missing, []);
      assert.deepEqual(tally(logglyMessages(f.loggly), 0, N).missing, []);
      assert.deepEqual(tally(cloudwatchMessages(f.cloudwatch), 0, N).missing, []);
    } finally {
      await daemon?.stop();
      await f.close();
    }
  });
});
