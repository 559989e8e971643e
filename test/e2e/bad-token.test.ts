// End to end (issue 5): Loggly refuses the token (403): it stops with a clear error, never logs the token,
// keeps its checkpoint, and CloudWatch and stdout keep shipping everything.
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import path from 'node:path';
import { test } from 'node:test';
import { cloudwatchMessages, faultEntries, logglyMessages, startFanout, stdoutMessages, tally } from './fanout.ts';

test('a 403 from Loggly stops Loggly only; CloudWatch and stdout deliver every entry', { timeout: 120_000 }, async () => {
  const N = 5000;
  const badToken = 'wrong-token-5f3c9a1e77';
  const f = await startFanout({}, { logglyToken: badToken });
  try {
    const daemon = f.start();
    await daemon.waitFor(() => daemon.stderr.includes('reading the journal'), 'reader start');
    await f.journal.send(faultEntries(0, N));
    await daemon.waitFor(
      () => tally(cloudwatchMessages(f.cloudwatch), 0, N).missing.length === 0 && tally(stdoutMessages(daemon.stdout), 0, N).missing.length === 0,
      'CloudWatch and stdout to have every entry',
      60_000,
    );
    assert.equal(logglyMessages(f.loggly).length, 0);
    const failure = daemon.logs().find((l) => l.destination === 'loggly' && l.level === 50);
    assert.ok(failure, 'an error names the failed destination');
    assert.match(JSON.stringify(failure), /403|token/i);
    assert.ok(!daemon.stderr.includes(badToken), 'the token never appears in the daemon\'s logs');
    assert.equal((await daemon.stop()).code, 0);
    assert.equal(existsSync(path.join(f.stateDir, 'loggly.checkpoint.json')), false, 'Loggly\'s checkpoint did not move');
    assert.equal(existsSync(path.join(f.stateDir, 'cloudwatch.checkpoint.json')), true);
  } finally {
    await f.close();
  }
});
