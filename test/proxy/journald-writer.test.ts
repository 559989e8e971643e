// JournaldWriter into a real journald namespace: binary-safe fields, a 300 KB entry through the memfd path,
// journald stopped (SIGSTOP) so its queue fills: nothing lost, order kept, the bound refuses droppable
// entries; and journald going away and coming back (reconnect, queue kept), against a plain datagram socket.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { JournaldWriter } from '../../src/proxy/journald-writer.ts';
import { encodeEntry, encodeFields, timestampField } from '../../src/proxy/journal-fields.ts';
import { UnixDatagramSocket } from '../../src/proxy/unix-datagram.ts';
import { TestJournal } from '../helpers/journald.ts';
import { tempDir } from '../helpers/temp-dir.ts';
import { journaldPid } from './harness.ts';

const entry = (test: string, message: string | Uint8Array, extra: Array<[string, string]> = []) =>
  encodeEntry(encodeFields([['X_TEST', test], ...extra]), typeof message === 'string' ? Buffer.from(message) : message, 6, timestampField('2026-11-04T09:08:07Z'), false);

function counters() {
  const seen = { memfd: 0, failures: [] as string[], connection: [] as string[] };
  return {
    seen,
    counters: {
      memfd: () => seen.memfd++,
      failure: (reason: string) => seen.failures.push(reason),
      connection: (state: 'lost' | 'restored', reason: string) => seen.connection.push(`${state}:${reason}`),
    },
  };
}

describe('JournaldWriter into a journald namespace', () => {
  let journal: TestJournal;
  before(async () => {
    journal = await TestJournal.start('jfw');
  });
  after(async () => journal.stop());

  test('values with newlines, invalid UTF-8 and NUL bytes arrive byte for byte', async () => {
    const { counters: c, seen } = counters();
    const w = JournaldWriter.open(journal.socketPath, { bufferBytes: 1 << 20, counters: c });
    const binary = Uint8Array.from([0x61, 0xff, 0x00, 0x62, 0x0a, 0x63]);
    assert.ok(w.write(entry('bin', 'line one\nline two\n'), false));
    assert.ok(w.write(entry('bin', binary, [['X_MULTI', 'a\nb']]), false));
    assert.ok(await w.idle(Date.now() + 5000));
    await journal.waitForCount(2, 'X_TEST=bin');
    const got = await journal.readAll('X_TEST=bin');
    assert.equal(got[0]!.fields.MESSAGE, 'line one\nline two\n');
    assert.deepEqual([...(got[1]!.fields.MESSAGE as Uint8Array)], [...binary]);
    assert.equal(got[1]!.fields.X_MULTI, 'a\nb');
    assert.deepEqual(seen, { memfd: 0, failures: [], connection: [] });
    w.close();
  });

  test('a 300 KB message goes through a sealed memfd and arrives intact', async () => {
    const { counters: c, seen } = counters();
    const w = JournaldWriter.open(journal.socketPath, { bufferBytes: 1 << 20, counters: c });
    const big = Buffer.alloc(300 * 1024);
    for (let i = 0; i < big.length; i++) big[i] = 0x20 + (i % 90);
    assert.ok(w.write(entry('big', big), false));
    assert.ok(await w.idle(Date.now() + 5000));
    assert.equal(seen.memfd, 1);
    await journal.waitForCount(1, 'X_TEST=big');
    const [got] = await journal.readAll('X_TEST=big');
    assert.equal(got!.fields.MESSAGE, big.toString('latin1'));
    w.close();
  });

  test('journald stopped: entries queue in order, the bound refuses droppable ones, all queued arrive once it runs again', async () => {
    const { counters: c } = counters();
    const w = JournaldWriter.open(journal.socketPath, { bufferBytes: 64 * 1024, counters: c });
    let drained = 0;
    w.onDrain(() => drained++);
    const pid = journaldPid(journal.namespace);
    process.kill(pid, 'SIGSTOP');
    const accepted: number[] = [];
    let refused = 0;
    try {
      for (let i = 0; i < 3000; i++) {
        if (w.write(entry('stop', `stopped ${i}`), true)) accepted.push(i);
        else refused++;
      }
      assert.ok(w.full || w.queuedBytes > 60 * 1024, `queued ${w.queuedBytes} bytes`);
      assert.ok(refused > 0, 'some droppable entries were refused at the bound');
      // Never-droppable entries (stream listeners, notices) are queued past the bound.
      assert.ok(w.write(entry('stop', 'must not be dropped'), false));
      await sleep(200);
      assert.ok(w.queuedEntries > 0, 'nothing moves while journald is stopped');
    } finally {
      process.kill(pid, 'SIGCONT');
    }
    assert.ok(await w.idle(Date.now() + 20_000), 'everything queued was written');
    assert.equal(drained, 1);
    await journal.waitForCount(accepted.length + 1, 'X_TEST=stop');
    const got = (await journal.readAll('X_TEST=stop')).map((e) => e.fields.MESSAGE);
    assert.deepEqual(got, [...accepted.map((i) => `stopped ${i}`), 'must not be dropped']);
    w.close();
  });
});

describe('JournaldWriter when journald goes away', () => {
  test('ECONNREFUSED: entries wait, the writer reconnects with backoff and writes them in order', async () => {
    const path = `${tempDir('jf-fakejournal-')}/socket`;
    const received: string[] = [];
    const listen = () => {
      const s = UnixDatagramSocket.bind(path, 0o600);
      const buf = Buffer.alloc(65536);
      s.watch({ readable: true }, () => {
        for (;;) {
          const n = s.receive(buf);
          if (n < 0) return;
          received.push(/MESSAGE=([^\n]*)/.exec(buf.subarray(0, n).toString())![1]!);
        }
      });
      return s;
    };
    let fake = listen();
    const { counters: c, seen } = counters();
    const w = JournaldWriter.open(path, { bufferBytes: 1 << 20, counters: c });
    w.write(entry('r', 'before'), false);
    await sleep(50);
    fake.close();
    for (let i = 0; i < 5; i++) w.write(entry('r', `during ${i}`), false);
    assert.equal(w.connection.connected, false);
    assert.equal(w.queuedEntries, 5);
    await sleep(250);
    fake = listen();
    assert.ok(await w.idle(Date.now() + 10_000));
    await sleep(50);
    assert.deepEqual(received, ['before', 'during 0', 'during 1', 'during 2', 'during 3', 'during 4']);
    assert.deepEqual(seen.connection, ['lost:ECONNREFUSED', 'restored:ENOENT']);
    assert.equal(w.connection.connected, true);
    w.close();
    fake.close();
  });
});
