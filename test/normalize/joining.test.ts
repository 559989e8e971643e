// Multiline joining with its flush timeout, Docker partial messages, and the ack contract (every seq in one record).
import assert from 'node:assert/strict';
import { beforeEach, describe, test } from 'node:test';
import { CONTAINER_A, CONTAINER_B, dockerEntry, harness, resetSeq, seqsOf, unitEntry } from './entries.ts';

beforeEach(() => resetSeq());

describe('multiline joining', () => {
  test('a Java stack trace is joined to the line before it; the record holds the last entry\'s cursor', () => {
    const h = harness();
    h.push(dockerEntry('2026-11-24 16:52:13.001 ERROR 1 --- [main] c.e.App : boom'));
    h.push(dockerEntry('java.lang.IllegalStateException: boom'));
    h.push(dockerEntry('\tat com.example.App.main(App.java:9)'));
    h.push(dockerEntry('Caused by: java.io.IOException: disk'));
    h.push(dockerEntry('\t... 3 more'));
    assert.equal(h.out.length, 0, 'held while continuation lines may come');
    h.push(dockerEntry('2026-11-24 16:52:13.002 INFO 1 --- [main] c.e.App : next'));
    assert.equal(h.out.length, 1);
    const [r] = h.out;
    assert.equal(r!.message, '2026-11-24 16:52:13.001 ERROR 1 --- [main] c.e.App : boom\njava.lang.IllegalStateException: boom\n\tat com.example.App.main(App.java:9)\nCaused by: java.io.IOException: disk\n\t... 3 more');
    assert.equal(r!.level, 'error');
    assert.equal(r!.seq, 5);
    assert.equal(r!.cursor, 's=5');
    assert.deepEqual(r!.joinedSeqs, [1, 2, 3, 4]);
    assert.equal(r!.time, Date.UTC(2026, 10, 24, 16, 52, 13, 1), 'time of the first line');
  });

  test('the flush timeout ships a waiting record once nothing continued it', () => {
    const h = harness({ multiline: { flush_timeout: '500ms' } });
    h.push(dockerEntry('ERROR something failed'));
    h.advance(499);
    assert.equal(h.out.length, 0);
    h.push(dockerEntry('    at frame (/app/x.js:1:1)'));
    h.advance(499);
    assert.equal(h.out.length, 0, 'each continuation restarts the timeout');
    h.advance(1);
    assert.equal(h.out.length, 1);
    assert.equal(h.out[0]!.message, 'ERROR something failed\n    at frame (/app/x.js:1:1)');
    assert.deepEqual(h.out[0]!.joinedSeqs, [1]);
    // A continuation line after the flush starts a record of its own: nothing is lost.
    h.push(dockerEntry('    at late (/app/x.js:2:2)'));
    h.advance(500);
    assert.equal(h.out.length, 2);
    assert.equal(h.out[1]!.message, '    at late (/app/x.js:2:2)');
    assert.equal(h.out[1]!.joinedSeqs, undefined);
  });

  test('flushDue only ships the streams whose timeout passed', () => {
    const h = harness();
    h.push(dockerEntry('first A', {}, CONTAINER_A));
    h.advance(300);
    h.push(dockerEntry('first B', {}, CONTAINER_B));
    h.advance(200);
    assert.deepEqual(h.out.map((r) => r.message), ['first A']);
    h.advance(300);
    assert.deepEqual(h.out.map((r) => r.message), ['first A', 'first B']);
  });

  test('streams are joined separately: containers, and stdout apart from stderr', () => {
    const h = harness();
    h.push(dockerEntry('ERROR in A', {}, CONTAINER_A));
    h.push(dockerEntry('ERROR in B', {}, CONTAINER_B));
    h.push(dockerEntry('stderr line of A', { PRIORITY: '3' }, CONTAINER_A));
    h.push(dockerEntry('\tat a.A(A.java:1)', {}, CONTAINER_A));
    h.push(dockerEntry('\tat b.B(B.java:1)', {}, CONTAINER_B));
    h.flushAll();
    const byMessage = new Map(h.out.map((r) => [r.message, r]));
    assert.deepEqual([...byMessage.keys()].sort(), ['ERROR in A\n\tat a.A(A.java:1)', 'ERROR in B\n\tat b.B(B.java:1)', 'stderr line of A'].sort());
    assert.deepEqual(byMessage.get('ERROR in A\n\tat a.A(A.java:1)')!.joinedSeqs, [1]);
    assert.deepEqual(seqsOf(h.out), [1, 2, 3, 4, 5]);
  });

  test('a Python traceback runs to its final exception line, chained tracebacks included', () => {
    const h = harness();
    const lines = [
      'ERROR:root:failed',
      'Traceback (most recent call last):',
      '  File "/app/x.py", line 1, in <module>',
      'KeyError: \'a\'',
      '',
      'The above exception was the direct cause of the following exception:',
      '',
      'Traceback (most recent call last):',
      '  File "/app/x.py", line 3, in <module>',
      'RuntimeError: wrapped',
      'INFO:root:next',
    ];
    for (const l of lines) h.push(unitEntry(l));
    h.flushAll();
    assert.deepEqual(h.out.map((r) => r.message), [lines.slice(0, 10).join('\n'), 'INFO:root:next']);
  });

  test('a Go panic keeps its blank lines and unindented frames', () => {
    const h = harness();
    const lines = ['panic: boom', '', 'goroutine 1 [running]:', 'main.main()', '\t/app/main.go:5 +0x1d', 'exit status 2'];
    for (const l of lines) h.push(unitEntry(l));
    h.flushAll();
    assert.deepEqual(h.out.map((r) => r.message), [lines.slice(0, 5).join('\n'), 'exit status 2']);
  });

  test('max_lines and max_chars bound a joined record; the rest starts a new one', () => {
    const h = harness({ multiline: { max_lines: 3 } });
    for (const l of ['head', ' 1', ' 2', ' 3', ' 4']) h.push(unitEntry(l));
    h.flushAll();
    assert.deepEqual(h.out.map((r) => r.message), ['head\n 1\n 2', ' 3\n 4']);
    assert.deepEqual(seqsOf(h.out), [1, 2, 3, 4, 5]);

    resetSeq();
    const c = harness({ multiline: { max_chars: 1024 } });
    c.push(unitEntry('x'.repeat(1000)));
    c.push(unitEntry(' ' + 'y'.repeat(100)));
    c.flushAll();
    assert.equal(c.out.length, 2);
  });

  test('rules can be narrowed, extended by a pattern, or switched off', () => {
    const javaOnly = harness({ multiline: { rules: ['java'], pattern: '^\\+\\+' } });
    for (const l of ['head', '  indented', 'java.lang.RuntimeException: x', '++ custom continuation']) javaOnly.push(unitEntry(l));
    javaOnly.flushAll();
    assert.deepEqual(javaOnly.out.map((r) => r.message), ['head', '  indented\njava.lang.RuntimeException: x\n++ custom continuation']);

    resetSeq();
    const off = harness({ multiline: { enabled: false } });
    off.push(unitEntry('head'));
    off.push(unitEntry('  indented'));
    assert.deepEqual(off.out.map((r) => r.message), ['head', '  indented'], 'emitted at once, nothing held');
  });

  test('an invalid pattern is a ConfigError naming records.multiline.pattern', () => {
    assert.throws(() => harness({ multiline: { pattern: '([' } }), (e: Error) => e.name === 'ConfigError' && /records\.multiline\.pattern/.test(e.message));
  });
});

describe('Docker partial messages', () => {
  const part = (text: string, extra = {}) => dockerEntry(text, { CONTAINER_PARTIAL_MESSAGE: 'true', ...extra });

  test('parts are joined into one record, parsed as a whole', () => {
    const h = harness({ multiline: { enabled: false } });
    const json = JSON.stringify({ level: 'warn', msg: 'big', blob: 'z'.repeat(40_000) });
    h.push(part(json.slice(0, 16384)));
    h.push(part(json.slice(16384, 32768)));
    assert.equal(h.out.length, 0);
    h.push(dockerEntry(json.slice(32768)));
    assert.equal(h.out.length, 1);
    const [r] = h.out;
    assert.equal(r!.message, 'big');
    assert.equal(r!.level, 'warning');
    assert.equal((r!.fields.blob as string).length, 40_000);
    assert.equal(r!.seq, 3);
    assert.deepEqual(r!.joinedSeqs, [1, 2]);
    assert.equal(r!.time, Math.floor((1 * 1000 + Date.UTC(2026, 10, 24, 16, 52, 13, 500) * 1000) / 1000), 'the first part\'s journal time');
  });

  test('parts of different containers do not mix', () => {
    const h = harness({ multiline: { enabled: false } });
    h.push(dockerEntry('a1-', { CONTAINER_PARTIAL_MESSAGE: 'true' }, CONTAINER_A));
    h.push(dockerEntry('b1-', { CONTAINER_PARTIAL_MESSAGE: 'true' }, CONTAINER_B));
    h.push(dockerEntry('a2', {}, CONTAINER_A));
    h.push(dockerEntry('b2', {}, CONTAINER_B));
    assert.deepEqual(h.out.map((r) => [r.message, r.seq, r.joinedSeqs]), [['a1-a2', 3, [1]], ['b1-b2', 4, [2]]]);
  });

  test('parts are put in CONTAINER_PARTIAL_ORDINAL order when Docker sends it', () => {
    const h = harness({ multiline: { enabled: false } });
    h.push(part('second-', { CONTAINER_PARTIAL_ORDINAL: '2', CONTAINER_PARTIAL_ID: 'p' }));
    h.push(part('first-', { CONTAINER_PARTIAL_ORDINAL: '1', CONTAINER_PARTIAL_ID: 'p' }));
    h.push(dockerEntry('last', { CONTAINER_PARTIAL_ORDINAL: '3', CONTAINER_PARTIAL_ID: 'p', CONTAINER_PARTIAL_LAST: 'true' }));
    assert.equal(h.out[0]!.message, 'first-second-last');
    assert.deepEqual(seqsOf(h.out), [1, 2, 3]);
  });

  test('a line whose last part never comes is shipped after the flush timeout', () => {
    const h = harness({ multiline: { enabled: false } });
    h.push(part('orphan part 1 '));
    h.push(part('orphan part 2'));
    h.advance(499);
    assert.equal(h.out.length, 0);
    h.advance(1);
    assert.deepEqual(h.out.map((r) => [r.message, r.seq, r.joinedSeqs]), [['orphan part 1 orphan part 2', 2, [1]]]);
  });

  test('a line longer than partial.max_chars is shipped in pieces, every part accounted for', () => {
    const h = harness({ multiline: { enabled: false }, partial: { max_chars: 2048 } });
    for (let i = 0; i < 5; i++) h.push(part(String(i).repeat(1000)));
    h.push(dockerEntry('end'));
    h.flushAll();
    assert.equal(h.out.map((r) => r.message).join(''), [0, 1, 2, 3, 4].map((i) => String(i).repeat(1000)).join('') + 'end');
    assert.ok(h.out.every((r) => r.message.length <= 2048));
    assert.deepEqual(seqsOf(h.out), [1, 2, 3, 4, 5, 6]);
  });

  test('switched off, every part is a record of its own', () => {
    const h = harness({ multiline: { enabled: false }, partial: { enabled: false } });
    h.push(part('a'));
    h.push(dockerEntry('b'));
    assert.deepEqual(h.out.map((r) => r.message), ['a', 'b']);
  });

  test('a joined partial line can itself continue a multiline record', () => {
    const h = harness();
    h.push(dockerEntry('ERROR head'));
    h.push(part('\tat very.long.Frame'));
    h.push(dockerEntry('(Frame.java:1)'));
    h.flushAll();
    assert.deepEqual(h.out.map((r) => [r.message, r.seq, r.joinedSeqs]), [['ERROR head\n\tat very.long.Frame(Frame.java:1)', 3, [1, 2]]]);
  });
});

describe('ack contract', () => {
  test('every pushed entry ends up in exactly one record, whatever the mix', () => {
    const h = harness({ partial: { max_chars: 1024 }, multiline: { max_lines: 4 } });
    const kinds = ['ERROR x', '\tat y', 'plain', '{"msg":"json"}', '', 'Traceback (most recent call last):', '  File "x"', 'ValueError: v'];
    let pushed = 0;
    for (let i = 0; i < 2000; i++) {
      const container = i % 3 === 0 ? CONTAINER_B : CONTAINER_A;
      const partial: Record<string, string> = i % 7 === 0 ? { CONTAINER_PARTIAL_MESSAGE: 'true' } : {};
      const text = i % 11 === 0 ? 'p'.repeat(700) : kinds[i % kinds.length]!;
      h.push(i % 5 === 0 ? unitEntry(text) : dockerEntry(text, partial, container));
      pushed++;
      if (i % 97 === 0) h.advance(600);
    }
    h.flushAll();
    assert.deepEqual(seqsOf(h.out), Array.from({ length: pushed }, (_, i) => i + 1));
    for (const r of h.out) assert.equal(r.cursor, `s=${r.seq}`, 'cursor is the last entry\'s');
  });
});
