// Delivery under real faults (issue 6): a destination down, a slow destination, kill -9 crashes, SIGTERM.
// Counts are scaled down for CI; `npm run test:soak` (JF_SOAK=1) runs the full ones.
import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { describe, test } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { killQuietly, type Daemon } from '../helpers/daemon.ts';
import { cloudwatchCount, cloudwatchMessages, faultEntries, logglyMessages, peakRssMb, SOAK, startFanout, stdoutMessages, tally } from './fanout.ts';

const log = (text: string) => process.stderr.write(`# ${text}\n`);

/** Index (in `fault-N` numbering) of the last entry a destination's checkpoint covers; -1 without one. */
async function committedIndex(stateDir: string, name: string, cursors: string[]): Promise<number> {
  try {
    const { cursor } = JSON.parse(await readFile(path.join(stateDir, `${name}.checkpoint.json`), 'utf8')) as { cursor: string };
    return cursors.indexOf(cursor);
  } catch {
    return -1;
  }
}

describe('fan-out under faults', { timeout: SOAK ? 1_800_000 : 300_000 }, () => {
  test('CloudWatch down (refused, then 503s): Loggly and stdout keep shipping; CloudWatch catches up; nothing lost', async () => {
    const N = SOAK ? 100_000 : 20_000;
    const OUTAGE_MS = SOAK ? 60_000 : 15_000;
    // A small buffer so the outage outlasts it: CloudWatch must be detached, not hold the others back.
    const f = await startFanout({ buffer_records: 2000, detach_after: '500ms' });
    let daemon: Daemon | undefined;
    try {
      daemon = f.start();
      await daemon.waitFor(() => daemon!.stderr.includes('reading the journal'), 'reader start');
      await f.cwSwitch.down();
      const outageStart = Date.now();
      await f.journal.send(faultEntries(0, N));
      // While CloudWatch is refused, the others get everything.
      await daemon.waitFor(() => tally(logglyMessages(f.loggly), 0, N).missing.length === 0 && tally(stdoutMessages(daemon!.stdout), 0, N).missing.length === 0, 'Loggly and stdout to have every entry', 120_000);
      const othersDoneMs = Date.now() - outageStart;
      assert.ok(Date.now() - outageStart < OUTAGE_MS || SOAK, `the others finished during the outage (${othersDoneMs} ms)`);
      assert.ok(cloudwatchMessages(f.cloudwatch).length < N, 'CloudWatch had not got them all yet');
      while (Date.now() - outageStart < OUTAGE_MS / 2) await sleep(100);
      // Second half of the outage: the endpoint answers, but 503 to every call.
      f.cloudwatch.faults.unavailableEvery = 1;
      f.cloudwatch.faults.operations = ['PutLogEvents', 'CreateLogStream', 'CreateLogGroup', 'DescribeLogStreams', 'DescribeLogGroups', 'PutRetentionPolicy'];
      await f.cwSwitch.up();
      while (Date.now() - outageStart < OUTAGE_MS) await sleep(100);
      f.cloudwatch.faults.unavailableEvery = 0;
      await daemon.waitFor(() => tally(cloudwatchMessages(f.cloudwatch), 0, N).missing.length === 0, 'CloudWatch to catch up', 180_000);
      const cw = tally(cloudwatchMessages(f.cloudwatch), 0, N);
      const rss = await peakRssMb(daemon.child.pid!);
      log(`outage: ${N} entries, outage ${OUTAGE_MS} ms; others complete after ${othersDoneMs} ms; duplicates: CloudWatch ${cw.duplicates}, Loggly ${tally(logglyMessages(f.loggly), 0, N).duplicates}; daemon peak RSS ${rss.toFixed(0)} MB; 503s answered ${f.cloudwatch.counters.errors.ServiceUnavailableException ?? 0}`);
      assert.ok(daemon.logs().some((l) => l.msg.startsWith('destination fell behind its buffer: detached')), 'CloudWatch was detached');
      // The last batches can be accepted before the hand-over: a catch-up holding more than the shared budget
      // (up to two buffers, catch-up.ts) rejoins once it holds less, after its next drain (within a second).
      const completeAt = Date.now();
      await daemon.waitFor(() => daemon!.logs().some((l) => l.msg.startsWith('destination caught up and rejoined')), 'CloudWatch to rejoin', 10_000);
      log(`CloudWatch rejoined ${Date.now() - completeAt} ms after it had every entry`);
      assert.ok(rss < 400, `peak RSS ${rss} MB`);
      assert.equal((await daemon.stop()).code, 0);
    } finally {
      await daemon?.stop();
      await f.close();
    }
  });

  test('a destination answering after 2 s does not slow the others', async () => {
    const N = SOAK ? 50_000 : 5_000;
    const f = await startFanout({ buffer_records: 1000, detach_after: '500ms' });
    let daemon: Daemon | undefined;
    try {
      f.cloudwatch.faults.latencyMs = 2000;
      daemon = f.start();
      await daemon.waitFor(() => daemon!.stderr.includes('reading the journal'), 'reader start');
      const started = Date.now();
      await f.journal.send(faultEntries(0, N));
      await daemon.waitFor(() => tally(stdoutMessages(daemon!.stdout), 0, N).missing.length === 0 && tally(logglyMessages(f.loggly), 0, N).missing.length === 0, 'stdout and Loggly complete', 60_000);
      const othersMs = Date.now() - started;
      const cwAtThatTime = cloudwatchMessages(f.cloudwatch).length;
      await daemon.waitFor(() => tally(cloudwatchMessages(f.cloudwatch), 0, N).missing.length === 0, 'CloudWatch complete', 240_000);
      const cwMs = Date.now() - started;
      log(`slow destination: ${N} entries; stdout+Loggly complete in ${othersMs} ms (CloudWatch had ${cwAtThatTime}); CloudWatch complete in ${cwMs} ms`);
      assert.ok(cwAtThatTime < N, 'CloudWatch was still behind when the others were done');
      assert.ok(othersMs * 2 < cwMs, `others ${othersMs} ms vs CloudWatch ${cwMs} ms`);
      assert.equal((await daemon.stop()).code, 0);
    } finally {
      await daemon?.stop();
      await f.close();
    }
  });

  test('kill -9 of the daemon and journalctl at random moments: every entry reaches every destination', async () => {
    const N = SOAK ? 200_000 : 20_000;
    const KILLS = SOAK ? 10 : 4;
    const f = await startFanout();
    const stdout: string[] = [];
    try {
      // Entries keep coming while the kills happen: about KILLS * 2 s of writing.
      const chunk = Math.ceil(N / (KILLS * 20));
      const writing = f.journal.send(
        (async function* () {
          for (let i = 0; i < N; i += chunk) {
            yield* faultEntries(i, Math.min(N, i + chunk));
            await sleep(100);
          }
        })(),
      );
      const delivered = (name: string): string[] => (name === 'cloudwatch' ? cloudwatchMessages(f.cloudwatch) : name === 'loggly' ? logglyMessages(f.loggly) : stdout);
      // Entries delivered but not committed when a kill came: the only ones a restart may send again.
      const uncommitted: Record<string, number> = { cloudwatch: 0, loggly: 0, stdout: 0 };
      for (let k = 0; k < KILLS; k++) {
        const daemon = f.start();
        await daemon.waitFor(() => daemon.stderr.includes('reading the journal'), 'reader start');
        await sleep(500 + Math.floor(Math.random() * 2500));
        const children = daemon.journalctlPids();
        daemon.child.kill('SIGKILL');
        for (const pid of children) killQuietly(pid);
        await daemon.exited;
        stdout.push(...stdoutMessages(daemon.stdout));
        const entries = await f.journal.readAll('SYSLOG_IDENTIFIER=jf-fault');
        for (const name of Object.keys(uncommitted)) {
          const committed = await committedIndex(f.stateDir, name, entries.map((e) => e.cursor));
          uncommitted[name]! += new Set(delivered(name).filter((m) => Number(m.slice(6)) > committed)).size;
        }
      }
      await writing;
      await f.journal.waitForCount(N, 'SYSLOG_IDENTIFIER=jf-fault', 60_000);
      const last = f.start();
      await last.waitFor(() => last.stderr.includes('reading the journal'), 'reader start');
      const complete = () =>
        tally([...stdout, ...stdoutMessages(last.stdout)], 0, N).missing.length === 0 &&
        tally(cloudwatchMessages(f.cloudwatch), 0, N).missing.length === 0 &&
        tally(logglyMessages(f.loggly), 0, N).missing.length === 0;
      await last.waitFor(complete, 'every destination complete', 180_000);
      const stopped = await last.stop();
      assert.equal(stopped.code, 0, `${JSON.stringify(stopped)} ${last.stderr.slice(-3000)}`);
      const all: Record<string, { missing: number[]; duplicates: number }> = {
        stdout: tally([...stdout, ...stdoutMessages(last.stdout)], 0, N),
        cloudwatch: tally(cloudwatchMessages(f.cloudwatch), 0, N),
        loggly: tally(logglyMessages(f.loggly), 0, N),
      };
      log(`crash: ${N} entries, ${KILLS} kill -9; duplicates (bound: delivered but uncommitted at the kills): ${Object.entries(all).map(([n, t]) => `${n} ${t.duplicates} (${uncommitted[n]})`).join(', ')}`);
      for (const [name, t] of Object.entries(all)) {
        assert.deepEqual(t.missing, [], `${name} lost entries`);
        assert.ok(t.duplicates <= uncommitted[name]!, `${name}: ${t.duplicates} duplicates, more than the ${uncommitted[name]} uncommitted at the kills`);
      }
    } finally {
      await f.close();
    }
  });

  test('kill -9 while CloudWatch catches up after an outage: a crash sends again at most what was in flight and one checkpoint_interval', async () => {
    const N = SOAK ? 30_000 : 20_000;
    const KILLS = SOAK ? 5 : 3;
    const BUFFER = 2000;
    // After a restart the shared reader hands on a journal batch before CloudWatch is detached: up to
    // journal-reader.ts's HIGH_WATER_ENTRIES.
    const READER_BATCH = 8192;
    const CHECKPOINT_MS = 100;
    const OUTAGE_MS = 10_000;
    // After each restart the entries are a backlog: CloudWatch is to be detached then too (it answers in 200 ms).
    const f = await startFanout({ buffer_records: BUFFER, detach_after: '100ms', backlog_detach_after: '100ms', checkpoint_interval: `${CHECKPOINT_MS}ms` });
    let daemon: Daemon | undefined;
    try {
      daemon = f.start();
      await daemon.waitFor(() => daemon!.stderr.includes('reading the journal'), 'reader start');
      await f.cwSwitch.down();
      const outageStart = Date.now();
      await f.journal.send(faultEntries(0, N));
      await daemon.waitFor(() => logglyMessages(f.loggly).length >= N && tally(logglyMessages(f.loggly), 0, N).missing.length === 0, 'Loggly to have every entry', 120_000);
      // A 10 s outage: the detached CloudWatch's batches back off to seconds between attempts; when it is
      // back, the one that waits longest holds the checkpoint while the others are delivered.
      while (Date.now() - outageStart < OUTAGE_MS) await sleep(100);
      f.cloudwatch.faults.latencyMs = 20;
      await f.cwSwitch.up();
      const cursors = (await f.journal.readAll('SYSLOG_IDENTIFIER=jf-fault')).map((e) => e.cursor);
      const crashes: Array<{ uncommitted: number; perSecond: number; bound: number }> = [];
      for (let k = 0; k < KILLS; k++) {
        if (k > 0) {
          // After a restart CloudWatch answers slower (200 ms a call), so that each catch-up lasts to its kill.
          f.cloudwatch.faults.latencyMs = 200;
          daemon = f.start();
          await daemon.waitFor(() => daemon!.stderr.includes('reading the journal'), 'reader start');
        }
        // After a restart CloudWatch reads its backlog on the shared reader, falls behind its buffer and is
        // detached again: kill while that catch-up runs, at a random moment once it has delivered some.
        const d = daemon;
        const atStart = cloudwatchCount(f.cloudwatch);
        await d.waitFor(() => d.logs().some((l) => l.msg.startsWith('destination fell behind its buffer: detached')), 'CloudWatch detached and catching up', 60_000);
        await d.waitFor(() => cloudwatchCount(f.cloudwatch) >= atStart + 1000, 'the catch-up to deliver', 60_000);
        await sleep(Math.floor(Math.random() * 700));
        const before = cloudwatchCount(f.cloudwatch);
        await sleep(300);
        const perSecond = ((cloudwatchCount(f.cloudwatch) - before) * 1000) / 300;
        const children = d.journalctlPids();
        d.child.kill('SIGKILL');
        for (const pid of children) killQuietly(pid);
        await d.exited;
        // Requests the stand-in had received still land after the kill: they were in flight.
        await sleep(500);
        const delivered = cloudwatchMessages(f.cloudwatch);
        assert.ok(tally(delivered, 0, N).missing.length > 0, `kill ${k} came while CloudWatch was still catching up`);
        const committed = await committedIndex(f.stateDir, 'cloudwatch', cursors);
        const uncommitted = new Set(delivered.filter((m) => Number(m.slice(6)) > committed)).size;
        // In flight: the catch-up's buffer (buffer_records, and one piece of buffer_records handed on before
        // it waits), as many acknowledged behind an entry still out, and the batch the shared reader handed
        // on before the detach; then what was acknowledged in one checkpoint_interval (twice: the write
        // takes its own time).
        const bound = Math.ceil(3 * BUFFER + READER_BATCH + (perSecond * 2 * CHECKPOINT_MS) / 1000);
        crashes.push({ uncommitted, perSecond: Math.round(perSecond), bound });
      }
      daemon = f.start();
      const last = daemon;
      // Parsing every stored event is slow enough to starve the stand-in, which runs in this process: once a second.
      let checkedAt = 0;
      const complete = () => {
        if (cloudwatchCount(f.cloudwatch) < N || Date.now() - checkedAt < 1000) return false;
        checkedAt = Date.now();
        return tally(cloudwatchMessages(f.cloudwatch), 0, N).missing.length === 0;
      };
      await last.waitFor(complete, 'CloudWatch to have every entry', 240_000);
      assert.equal((await last.stop()).code, 0);
      const cw = tally(cloudwatchMessages(f.cloudwatch), 0, N);
      const uncommittedAtKills = crashes.reduce((n, c) => n + c.uncommitted, 0);
      log(
        `crash during catch-up: ${N} entries, ${KILLS} kill -9; CloudWatch duplicates ${cw.duplicates} (${Math.round(cw.duplicates / KILLS)} per crash); ` +
          `delivered but uncommitted at each kill / bound: ${crashes.map((c) => `${c.uncommitted}/${c.bound} at ${c.perSecond}/s`).join(', ')}`,
      );
      assert.deepEqual(cw.missing, [], 'CloudWatch lost entries');
      for (const [k, c] of crashes.entries()) assert.ok(c.uncommitted <= c.bound, `kill ${k}: ${c.uncommitted} delivered past the checkpoint, more than ${c.bound}`);
      // In all, no more duplicates than the kills left uncommitted: no checkpoint went back, and what was
      // acknowledged before a detach was not sent again.
      assert.ok(cw.duplicates <= uncommittedAtKills, `${cw.duplicates} duplicates, more than the ${uncommittedAtKills} uncommitted at the kills`);
    } finally {
      await daemon?.stop();
      await f.close();
    }
  });

  test('SIGTERM during a burst exits 0 within the deadline; checkpoints claim only what arrived', async () => {
    const N = SOAK ? 100_000 : 20_000;
    const f = await startFanout({ shutdown_timeout: '3s' });
    try {
      const daemon = f.start();
      await daemon.waitFor(() => daemon.stderr.includes('reading the journal'), 'reader start');
      const writing = f.journal.send(faultEntries(0, N));
      await daemon.waitFor(() => cloudwatchMessages(f.cloudwatch).length > N / 10, 'a tenth delivered', 60_000);
      const stopAt = Date.now();
      const { code } = await daemon.stop('SIGTERM');
      const tookMs = Date.now() - stopAt;
      await writing;
      assert.equal(code, 0, daemon.stderr.slice(-2000));
      assert.ok(tookMs < 3000 + 2000, `stopped in ${tookMs} ms`);
      const entries = await f.journal.readAll('SYSLOG_IDENTIFIER=jf-fault');
      const indexOf = new Map(entries.map((e, i) => [e.cursor, i]));
      const delivered = {
        cloudwatch: new Set(cloudwatchMessages(f.cloudwatch)),
        loggly: new Set(logglyMessages(f.loggly)),
        stdout: new Set(stdoutMessages(daemon.stdout)),
      };
      for (const [name, got] of Object.entries(delivered)) {
        const { cursor } = JSON.parse(await readFile(path.join(f.stateDir, `${name}.checkpoint.json`), 'utf8')) as { cursor: string };
        const upTo = indexOf.get(cursor);
        assert.ok(upTo !== undefined, `${name}: checkpoint is an entry of the journal`);
        for (let i = 0; i <= upTo; i++) assert.ok(got.has(`fault-${i}`), `${name}: checkpoint covers fault-${i}, which arrived`);
        log(`shutdown: ${name} checkpoint at entry ${upTo + 1} of ${N}, ${got.size} delivered`);
        // A clean flush commits all it delivered, up to what was read.
        assert.ok(upTo + 1 >= Math.min(got.size, N) - 1, `${name}: checkpoint ${upTo + 1} lags what arrived (${got.size})`);
      }
    } finally {
      await f.close();
    }
  });
});
