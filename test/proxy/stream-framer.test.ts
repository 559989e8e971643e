// StreamFramer: newline and octet-counted framing, mixed, split at every byte and at random places; long
// messages in parts; the end of a stream.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import fc from 'fast-check';
import { FRAME_CONTINUED, FRAME_MORE, StreamFramer } from '../../src/proxy/stream-framer.ts';
import { dockerSyslogMessage, octetFrame } from '../helpers/syslog-client.ts';

interface Frame {
  bytes: number[];
  flags: number;
}

function frames(chunks: Buffer[], maxFrame = 1 << 20): Frame[] {
  const out: Frame[] = [];
  const framer = new StreamFramer(maxFrame, (frame, flags) => out.push({ bytes: [...frame], flags }));
  for (const c of chunks) framer.push(c);
  framer.end();
  assert.equal(framer.pendingBytes, 0);
  return out;
}

/** Joins the parts of each message back (what the forwarder does with CONTAINER_PARTIAL_MESSAGE). */
function messages(fs: Frame[]): number[][] {
  const out: number[][] = [];
  let open = false;
  for (const f of fs) {
    assert.equal((f.flags & FRAME_CONTINUED) !== 0, open, 'a part continues exactly when the previous one said more follows');
    if (open) out[out.length - 1]!.push(...f.bytes);
    else out.push([...f.bytes]);
    open = (f.flags & FRAME_MORE) !== 0;
  }
  assert.equal(open, false, 'the last part says no more follows');
  return out;
}

function cut(stream: Buffer, points: number[]): Buffer[] {
  const sorted = [0, ...[...points].sort((a, b) => a - b), stream.length];
  return sorted.slice(1).map((p, i) => stream.subarray(sorted[i], p));
}

/** A message as a sender frames it: octet-counted (the body as is), or terminated by "\n" (body without LF). */
const framed = fc.oneof(
  fc.uint8Array({ minLength: 1, maxLength: 60 }).map((b) => ({ octets: true, body: Buffer.from(b) })),
  fc.uint8Array({ minLength: 1, maxLength: 60 }).map((b) => ({ octets: false, body: Buffer.from(b.filter((c) => c !== 0x0a)) })),
).filter((m) => m.body.length > 0 && (m.octets || m.body[0]! < 0x31 || m.body[0]! > 0x39));

const wire = (ms: Array<{ octets: boolean; body: Buffer }>) => Buffer.concat(ms.map((m) => (m.octets ? octetFrame(m.body) : Buffer.concat([m.body, Buffer.from('\n')]))));

describe('framing', () => {
  test('Docker over tcp+tls with rfc5424: the count includes srslog\'s "\\n", which stays in the frame', () => {
    const m1 = dockerSyslogMessage('one', { format: 'rfc5424', tag: 'a' });
    const m2 = dockerSyslogMessage('two words', { format: 'rfc5424micro', tag: 'b' });
    const out = frames([Buffer.concat([octetFrame(m1), octetFrame(m2)])]);
    assert.deepEqual(out.map((f) => Buffer.from(f.bytes).toString()), [m1.toString(), m2.toString()]);
  });

  test('newline framing (Docker everywhere else): the "\\n" is the delimiter; blank lines are no messages', () => {
    const out = frames([Buffer.from('<30>a\n\n<30>b\n<30>c')]);
    assert.deepEqual(out.map((f) => Buffer.from(f.bytes).toString()), ['<30>a', '<30>b', '<30>c']);
    assert.deepEqual(out.map((f) => f.flags), [0, 0, 0]);
  });

  test('a fixed mix of both framings, split into two at every byte and into single bytes', () => {
    const ms = [
      { octets: true, body: dockerSyslogMessage('first line', { format: 'rfc5424', tag: 'x' }) },
      { octets: false, body: Buffer.from('<30>Jan  2 03:04:05 y[1]: second') },
      { octets: true, body: Buffer.from('12 with digits and\nnewlines\n') },
      { octets: false, body: Buffer.from('<14>x 1') },
    ];
    const stream = wire(ms);
    const expected = ms.map((m) => [...m.body]);
    for (let i = 0; i <= stream.length; i++) assert.deepEqual(messages(frames(cut(stream, [i]))), expected, `split at ${i}`);
    assert.deepEqual(messages(frames([...stream].map((b) => Buffer.from([b])))), expected);
  });

  test('property: any messages, any framing, any split points give back the messages', () => {
    fc.assert(
      fc.property(fc.array(framed, { minLength: 1, maxLength: 12 }), fc.array(fc.nat(), { maxLength: 12 }), (ms, points) => {
        const stream = wire(ms);
        const out = messages(frames(cut(stream, points.map((p) => p % (stream.length + 1)))));
        assert.deepEqual(out, ms.map((m) => [...m.body]));
      }),
      { numRuns: 3000 },
    );
  });

  test('property: with a small maxFrame, long messages come in parts of maxFrame bytes that join back', () => {
    fc.assert(
      fc.property(fc.array(framed, { minLength: 1, maxLength: 8 }), fc.array(fc.nat(), { maxLength: 8 }), fc.integer({ min: 1, max: 9 }), (ms, points, max) => {
        const stream = wire(ms);
        const fs = frames(cut(stream, points.map((p) => p % (stream.length + 1))), max);
        for (const f of fs) assert.ok(f.bytes.length <= max && (f.bytes.length > 0 || (f.flags & FRAME_CONTINUED) !== 0), `frame of ${f.bytes.length} bytes, max ${max}`);
        for (const f of fs) if ((f.flags & FRAME_MORE) !== 0) assert.equal(f.bytes.length, max);
        assert.deepEqual(messages(fs), ms.map((m) => [...m.body]));
      }),
      { numRuns: 3000 },
    );
  });

  test('a stream that ends inside a message hands on what it has', () => {
    assert.deepEqual(messages(frames([Buffer.from('<30>no newline at the end')])), [[...Buffer.from('<30>no newline at the end')]]);
    assert.deepEqual(messages(frames([Buffer.from('100 <30>cut short')])), [[...Buffer.from('<30>cut short')]]);
    assert.deepEqual(messages(frames([Buffer.from('12')])), [[...Buffer.from('12')]]);
  });

  test('a sender that never sends "\\n" cannot make the framer hold more than maxFrame plus one chunk', () => {
    const out: number[] = [];
    const framer = new StreamFramer(1000, (frame) => out.push(frame.length));
    for (let i = 0; i < 100; i++) {
      framer.push(Buffer.alloc(700, 0x61));
      assert.ok(framer.pendingBytes <= 1000);
    }
    assert.equal(out.reduce((a, b) => a + b, 0) + framer.pendingBytes, 70_000);
  });
});
