// Forward wire encoding: Entry bytes with EventTime, the PackedForward frame, tags, the handshake digests, oversize records.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { Decoder, decode, decodeMulti } from '@msgpack/msgpack';
import fc from 'fast-check';
import { encodeRecordEntries, eventTime } from '../../../adapters/forward/encode.ts';
import { ackOf, checkPong, packedForwardFrame, parseHelo, pingMessage, sharedKeyDigest } from '../../../adapters/forward/protocol.ts';
import { compileTag, sanitizeTag } from '../../../adapters/forward/tag.ts';
import { recordToJsonLine } from '../../../src/normalize/encode.ts';
import { sampleRecord, SAMPLE_TIME } from '../../standins/sample-records.ts';

const PART = / \[journal-fanout part (\d+)\/(\d+)\]$/;
const sha512 = (s: Buffer) => createHash('sha512').update(s).digest('hex');

/** Entry bytes -> [sec, nsec, record], reading the EventTime header by hand. */
function readEntry(bytes: Buffer): { sec: number; nsec: number; record: Record<string, unknown> } {
  assert.equal(bytes[0], 0x92, 'a 2-array');
  assert.equal(bytes[1], 0xd7, 'fixext 8');
  assert.equal(bytes[2], 0x00, 'ext type 0 (EventTime)');
  return { sec: bytes.readUInt32BE(3), nsec: bytes.readUInt32BE(7), record: decode(bytes.subarray(11)) as Record<string, unknown> };
}

describe('Entry encoding', () => {
  test('[EventTime, record]: fixext8 type 0, seconds and nanoseconds big-endian; the record is the ecs-logs event', () => {
    const record = sampleRecord(3);
    const [entry, ...rest] = encodeRecordEntries(record, 1_000_000, 'split');
    assert.equal(rest.length, 0);
    assert.equal(entry!.size, entry!.data.length);
    assert.equal(entry!.time, record.time);
    const { sec, nsec, record: body } = readEntry(entry!.data);
    assert.equal(sec, Math.floor((SAMPLE_TIME + 3) / 1000));
    assert.equal(nsec, ((SAMPLE_TIME + 3) % 1000) * 1_000_000);
    assert.deepEqual(body, JSON.parse(recordToJsonLine(record)));
    assert.deepEqual(Object.keys(body), ['level', 'time', 'message', 'info', 'data']);
  });

  test('property: any message and JSON fields decode to exactly recordToJsonLine\'s event, keys in order', () => {
    const sources = [sampleRecord(1).source, { host: 'h', service: 's', stream: 'h' }, { host: 'h', service: 'nginx', stream: 'h', unit: 'nginx.service', identifier: 'nginx', pid: 9 }];
    fc.assert(
      // No "__proto__" key: @msgpack/msgpack's decoder (this test's and the stand-in's) refuses it; see the next test.
      fc.property(fc.string({ unit: 'grapheme', maxLength: 300 }), fc.dictionary(fc.string().filter((k) => k !== '__proto__'), fc.jsonValue(), { maxKeys: 6 }), fc.nat(2), fc.nat(7), (message, rawFields, s, l) => {
        // Fields come from JSON.parse: -0 and the like do not survive it.
        const fields = JSON.parse(JSON.stringify(rawFields)) as Record<string, unknown>;
        const record = { ...sampleRecord(l), message, fields, source: sources[s]! };
        const [entry] = encodeRecordEntries(record, 1_000_000, 'split');
        const body = readEntry(entry!.data).record;
        assert.deepStrictEqual(body, JSON.parse(recordToJsonLine(record)));
        assert.equal(JSON.stringify(body), recordToJsonLine(record));
      }),
      { numRuns: 500 },
    );
  });

  test('a field named "__proto__" (JSON.parse makes it an own key) is sent as data, like any key', () => {
    const fields = JSON.parse('{"__proto__":{"polluted":true},"ok":1}') as Record<string, unknown>;
    const [entry] = encodeRecordEntries({ ...sampleRecord(1), fields }, 1_000_000, 'split');
    // fixmap 2, fixstr 9 "__proto__", fixmap 1 "polluted": true, fixstr 2 "ok": 1
    const expected = Buffer.concat([Buffer.from([0x82, 0xa9]), Buffer.from('__proto__'), Buffer.from([0x81, 0xa8]), Buffer.from('polluted'), Buffer.from([0xc3, 0xa2]), Buffer.from('ok'), Buffer.from([0x01])]);
    assert.ok(entry!.data.includes(expected), 'the fields map holds the key as data');
    assert.equal(({} as Record<string, unknown>).polluted, undefined);
  });

  test('lone surrogates (JSON.parse makes them from "\\ud800") are sent as U+FFFD: every str is UTF-8', () => {
    const fields = JSON.parse('{"a":"x\\ud800y","\\udc00k":["\\udbff"],"long":"' + 'z'.repeat(300) + '\\ud800"}') as Record<string, unknown>;
    const record = { ...sampleRecord(1), message: 'm\ud800', fields };
    const [entry] = encodeRecordEntries(record, 1_000_000, 'split');
    const bytes = entry!.data;
    for (let i = bytes.indexOf(0xed); i !== -1; i = bytes.indexOf(0xed, i + 1)) assert.ok(bytes[i + 1]! < 0xa0, `a surrogate encoded at byte ${i}`);
    const body = readEntry(bytes).record as { message: string; data: { fields: Record<string, unknown> } };
    assert.equal(body.message, 'm\ufffd');
    assert.deepEqual(body.data.fields, { a: 'x\ufffdy', '\ufffdk': ['\ufffd'], long: 'z'.repeat(300) + '\ufffd' });
  });

  test('eventTime: nanoseconds from fractional milliseconds; clamped to uint32 seconds', () => {
    // A double holds a 2023 time in ms to about 0.2 µs: microseconds (the journal's precision) survive exactly.
    assert.deepEqual(eventTime(1_700_000_000_123.5), { sec: 1_700_000_000, nsec: 123_500_000 });
    assert.deepEqual(eventTime(1_700_000_000_123.457), { sec: 1_700_000_000, nsec: 123_457_000 });
    assert.deepEqual(eventTime(1_700_000_000_000 + 999.9997), { sec: 1_700_000_001, nsec: 0 });
    assert.deepEqual(eventTime(1_700_000_000_000.001), { sec: 1_700_000_000, nsec: 1000 });
    assert.deepEqual(eventTime(0), { sec: 0, nsec: 0 });
    assert.deepEqual(eventTime(-5), { sec: 0, nsec: 0 });
    assert.deepEqual(eventTime(NaN), { sec: 0, nsec: 0 });
    assert.deepEqual(eventTime(2 ** 32 * 1000 + 5), { sec: 0xffff_ffff, nsec: 0 });
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 4_000_000_000_000 }), (ms) => {
        const t = eventTime(ms);
        assert.ok(t.nsec >= 0 && t.nsec < 1e9);
        assert.equal(t.sec * 1000 + t.nsec / 1e6, ms);
      }),
    );
  });

  test('a record over max_batch_bytes is split into marked entries, each within it, that join back to the message', () => {
    const message = 'é'.repeat(300_000); // 600,000 bytes of UTF-8
    const entries = encodeRecordEntries(sampleRecord(1, { message }), 200_000, 'split');
    assert.equal(entries.length, 4);
    let joined = '';
    entries.forEach((e, i) => {
      assert.ok(e.size <= 200_000, `entry ${i} is ${e.size} bytes`);
      const r = readEntry(e.data).record as { message: string; data: { fields: Record<string, unknown> } };
      const m = PART.exec(r.message);
      assert.ok(m);
      assert.deepEqual([Number(m[1]), Number(m[2])], [i + 1, 4]);
      assert.deepEqual(r.data.fields, i === 0 ? { seq: 1, user: 'u1' } : {}, 'fields travel in the first part');
      joined += r.message.replace(PART, '');
    });
    assert.equal(joined, message);
  });

  test('oversize truncate: one entry within the limit, marked with the bytes cut', () => {
    const message = 'x'.repeat(500_000);
    const [entry, ...rest] = encodeRecordEntries(sampleRecord(1, { message }), 100_000, 'truncate');
    assert.equal(rest.length, 0);
    assert.ok(entry!.size <= 100_000);
    const text = (readEntry(entry!.data).record as { message: string }).message;
    const m = / \[journal-fanout truncated (\d+) bytes\]$/.exec(text);
    assert.ok(m);
    assert.equal(text.length - m[0].length + Number(m[1]), message.length);
  });

  test('fields too large to ride along move into the message text', () => {
    const fields = { blob: 'y'.repeat(150_000) };
    const entries = encodeRecordEntries(sampleRecord(1, { message: 'short', fields }), 100_000, 'split');
    assert.ok(entries.length >= 2);
    const texts = entries.map((e) => (readEntry(e.data).record as { message: string }).message.replace(PART, ''));
    assert.equal(texts.join(''), `short\n[journal-fanout fields] ${JSON.stringify(fields)}`);
    for (const e of entries) assert.ok(e.size <= 100_000);
  });
});

describe('PackedForward frame', () => {
  test('[tag, bin(entries), {size, chunk, compressed}]: the entries travel as bin, untouched', () => {
    const entries = Buffer.concat([0, 1, 2].map((i) => encodeRecordEntries(sampleRecord(i), 1e6, 'split')[0]!.data));
    for (const size of [10, 300, 70_000]) {
      const payload = Buffer.concat([entries, Buffer.alloc(size)]);
      const frame = Buffer.concat(packedForwardFrame('ecs.svc', payload, { size: 3, chunk: 'p8n9gmxTQVC8/nh2wlKKeQ==', compressed: 'gzip' }));
      const [tag, bin, option, ...rest] = decode(frame) as [string, Uint8Array, Record<string, unknown>];
      assert.equal(rest.length, 0);
      assert.equal(tag, 'ecs.svc');
      assert.ok(bin instanceof Uint8Array, 'bin, not str');
      assert.deepEqual(Buffer.from(bin), payload);
      assert.deepEqual(option, { size: 3, chunk: 'p8n9gmxTQVC8/nh2wlKKeQ==', compressed: 'gzip' });
    }
    const plain = decode(Buffer.concat(packedForwardFrame('t', entries, { size: 3 }))) as [string, Uint8Array, Record<string, unknown>];
    assert.deepEqual(plain[2], { size: 3 });
    assert.equal([...decodeMulti(plain[1], { extensionCodec: undefined })].length, 3);
  });

  test('ackOf reads {ack} maps only', () => {
    assert.equal(ackOf({ ack: 'abc' }), 'abc');
    assert.equal(ackOf({ ack: 1 }), undefined);
    assert.equal(ackOf(['ack', 'abc']), undefined);
    assert.equal(ackOf(null), undefined);
    assert.equal(ackOf(new Uint8Array(2)), undefined);
  });
});

describe('handshake', () => {
  const helo = { nonce: Buffer.from('nonce-bytes-0123'), auth: Buffer.from('auth-salt'), keepalive: true };

  test('HELO: nonce and auth as str or bin; keepalive defaults to true; malformed ones say why', () => {
    const h = parseHelo(['HELO', { nonce: new Uint8Array([1, 2, 3]), auth: '', keepalive: false }]);
    assert.ok(typeof h !== 'string');
    assert.deepEqual([...h.nonce], [1, 2, 3]);
    assert.equal(h.auth.length, 0);
    assert.equal(h.keepalive, false);
    assert.equal((parseHelo(['HELO', { nonce: 'n' }]) as { keepalive: boolean }).keepalive, true);
    assert.equal(parseHelo(['PONG', {}]), 'expected a HELO message');
    assert.equal(parseHelo(['HELO', {}]), 'HELO has no nonce');
    assert.equal(parseHelo(['HELO', { nonce: 'n', keepalive: 'yes' }]), 'HELO keepalive is not a boolean');
    assert.equal(parseHelo(['HELO', { nonce: 'n' }, 1]), 'HELO is not ["HELO", {options}]');
  });

  test('PING: sha512_hex(salt + hostname + nonce + key); password sha512_hex(auth + user + password); the key is never sent', () => {
    const { message, salt } = pingMessage(helo, { sharedKey: 'the-shared-key', hostname: 'host-a', username: 'alice', password: 'pw' });
    const ping = new Decoder().decode(message) as string[];
    assert.equal(ping.length, 6);
    assert.equal(ping[0], 'PING');
    assert.equal(ping[1], 'host-a');
    assert.equal(ping[2], salt);
    assert.match(salt, /^[0-9a-f]{32}$/);
    assert.equal(ping[3], sha512(Buffer.concat([Buffer.from(salt), Buffer.from('host-a'), helo.nonce, Buffer.from('the-shared-key')])));
    assert.equal(ping[4], 'alice');
    assert.equal(ping[5], sha512(Buffer.concat([helo.auth, Buffer.from('alice'), Buffer.from('pw')])));
    assert.ok(!message.includes(Buffer.from('the-shared-key')) && !message.includes(Buffer.from('"pw"')));
    // No auth salt in the HELO: the server does not check users, and none are sent.
    const anonymous = new Decoder().decode(pingMessage({ ...helo, auth: Buffer.alloc(0) }, { sharedKey: 'k', hostname: 'h', username: 'alice', password: 'pw' }).message) as string[];
    assert.deepEqual(anonymous.slice(4), ['', '']);
  });

  test('PONG: accepted only with the server\'s proof of the key; a refusal carries the server\'s reason', () => {
    const salt = 'salt';
    const good = ['PONG', true, '', 'agg-1', sharedKeyDigest(salt, 'agg-1', helo.nonce, 'k')];
    assert.equal(checkPong(good, helo, salt, 'k'), undefined);
    assert.deepEqual(checkPong(['PONG', false, 'shared_key mismatch', 'agg-1', ''], helo, salt, 'k'), { reason: 'the server refused the handshake: "shared_key mismatch"', refused: true });
    const forged = checkPong(['PONG', true, '', 'agg-1', sharedKeyDigest(salt, 'agg-1', helo.nonce, 'other')], helo, salt, 'k');
    assert.equal(forged?.refused, true);
    assert.match(forged!.reason, /does not hold the same shared_key/);
    assert.equal(checkPong(['PONG', 'yes', '', 'h', 'd'], helo, salt, 'k')?.refused, false);
    assert.equal(checkPong({ ack: 'x' }, helo, salt, 'k')?.refused, false);
  });
});

describe('tags', () => {
  const cases: Array<[string, string]> = [
    ['ecs.web', 'ecs.web'],
    ['ecs.my service', 'ecs.my_service'],
    ['ecs.a*b', 'ecs.a_b'],
    ['ecs.{x,y}', 'ecs._x_y_'],
    ['app-1_x', 'app-1_x'],
    ['café', 'caf_'],
    ['', '_'],
  ];
  for (const [input, expected] of cases) test(`sanitizeTag(${JSON.stringify(input)}) = ${JSON.stringify(expected)}`, () => assert.equal(sanitizeTag(input), expected));

  test('templates render per record (per source when they read no fields); unknown names are a ConfigError naming the key', () => {
    const bySource = compileTag('ecs.{service}', 'destinations.forward.tag');
    assert.equal(bySource(sampleRecord(1)), 'ecs.svc-1');
    assert.equal(bySource(sampleRecord(2)), 'ecs.svc-2');
    const byField = compileTag('app.{fields.user}', 'destinations.forward.tag');
    assert.equal(byField(sampleRecord(3)), 'app.u3');
    assert.equal(byField(sampleRecord(4)), 'app.u4');
    assert.throws(() => compileTag('ecs.{nope}', 'destinations.forward.tag'), /destinations\.forward\.tag: unknown name "nope"/);
  });
});
