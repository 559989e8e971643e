// assessHealth: the /healthz verdict for each situation, on a fake clock.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { assessHealth, READER_FAILING_RESTARTS } from '../../src/metrics/health.ts';
import type { LaneStatus, PipelineStatus } from '../../src/pipeline/pipeline.ts';

const NOW = 1_700_000_000_000;
const WINDOW = 60_000;
const quietReader = { restartsSinceEntries: 0, lastRestartAt: 0 };

function lane(over: Partial<LaneStatus> = {}): LaneStatus {
  return {
    id: 'cw', type: 'cloudwatch', failed: undefined, attached: true, bufferedRecords: 0, bufferedBytes: 0, pendingEntries: 0,
    committedCursor: 's=1', committedTimeMs: NOW - 5000, lastAckAt: NOW - 1000, ...over,
  };
}
const status = (lanes: LaneStatus[], lastEntryAt = NOW - 1000): PipelineStatus => ({ lastEntryAt, newestEntryMs: NOW - 1000, lanes });

describe('health', () => {
  test('reading and acknowledging: healthy', () => {
    const r = assessHealth(status([lane({ pendingEntries: 10 }), lane({ id: 'lg', type: 'loggly' })]), quietReader, NOW, WINDOW);
    assert.equal(r.healthy, true);
    assert.equal(r.status, 'ok');
    assert.equal(r.reason, '');
    assert.deepEqual(r.destinations.map((d) => d.healthy), [true, true]);
  });

  test('idle at the end of the journal for an hour, nothing pending: healthy', () => {
    const r = assessHealth(status([lane({ lastAckAt: NOW - 3_600_000 })], NOW - 3_600_000), quietReader, NOW, WINDOW);
    assert.equal(r.healthy, true);
    assert.equal(r.reader.idle, true);
  });

  test('a destination with entries pending and no ack for longer than the window: unhealthy, then healthy again once it acks', () => {
    const stalled = assessHealth(status([lane({ pendingEntries: 42, lastAckAt: NOW - WINDOW - 500 }), lane({ id: 'lg', type: 'loggly' })]), quietReader, NOW, WINDOW);
    assert.equal(stalled.healthy, false);
    assert.equal(stalled.reason, 'destination cw (cloudwatch) has 42 entries pending and acknowledged nothing for 60.5 s');
    assert.deepEqual(stalled.destinations.map((d) => d.healthy), [false, true]);
    const atEdge = assessHealth(status([lane({ pendingEntries: 42, lastAckAt: NOW - WINDOW })]), quietReader, NOW, WINDOW);
    assert.equal(atEdge.healthy, true, 'exactly the window is still within it');
    const recovered = assessHealth(status([lane({ pendingEntries: 7, lastAckAt: NOW - 10 })]), quietReader, NOW, WINDOW);
    assert.equal(recovered.healthy, true);
  });

  test('a detached destination catching up is healthy while it acknowledges, unhealthy when it stops', () => {
    const catchingUp = assessHealth(status([lane({ attached: false, pendingEntries: 50_000, lastAckAt: NOW - 200 })]), quietReader, NOW, WINDOW);
    assert.equal(catchingUp.healthy, true);
    assert.equal(catchingUp.destinations[0]!.attached, false);
    assert.equal(assessHealth(status([lane({ attached: false, pendingEntries: 50_000, lastAckAt: NOW - 2 * WINDOW })]), quietReader, NOW, WINDOW).healthy, false);
  });

  test('a failed destination: unhealthy with its reason, whatever else', () => {
    const r = assessHealth(status([lane({ failed: 'Loggly refused the token (HTTP 403)', type: 'loggly', id: 'lg' }), lane()]), quietReader, NOW, WINDOW);
    assert.equal(r.healthy, false);
    assert.deepEqual(r.reasons, ['destination lg (loggly) failed: Loggly refused the token (HTTP 403)']);
    assert.equal(r.destinations[0]!.failed, 'Loggly refused the token (HTTP 403)');
  });

  test('the reader stuck behind a full buffer is named too', () => {
    const r = assessHealth(status([lane({ pendingEntries: 100_000, bufferedRecords: 100_000, lastAckAt: NOW - 90_000 })], NOW - 90_000), quietReader, NOW, WINDOW);
    assert.equal(r.healthy, false);
    assert.equal(r.reasons.length, 2);
    assert.match(r.reasons[1]!, /^the reader handed on no entry for 90 s while entries are pending/);
  });

  test('journalctl failing over and over with nothing read: unhealthy; one restart is not', () => {
    const failing = { restartsSinceEntries: READER_FAILING_RESTARTS, lastRestartAt: NOW - 20_000 };
    const r = assessHealth(status([lane()], NOW - 600_000), failing, NOW, WINDOW);
    assert.equal(r.healthy, false);
    assert.match(r.reason, /^the journal reader failed 3 times in a row without handing on an entry/);
    assert.equal(assessHealth(status([lane()], NOW - 600_000), { restartsSinceEntries: 1, lastRestartAt: NOW - 20_000 }, NOW, WINDOW).healthy, true);
    // Long ago: the restarts stopped (journalctl has been running since), the reader is simply idle.
    assert.equal(assessHealth(status([lane()], NOW - 600_000), { ...failing, lastRestartAt: NOW - 3 * WINDOW }, NOW, WINDOW).healthy, true);
  });

  test('before the destinations have started: 503 "starting"', () => {
    const r = assessHealth(status([]), quietReader, NOW, WINDOW);
    assert.equal(r.healthy, false);
    assert.equal(r.status, 'starting');
    assert.equal(assessHealth(undefined, quietReader, NOW, WINDOW).status, 'starting');
  });
});
