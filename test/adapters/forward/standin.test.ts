// The forward stand-in enforces the spec: a raw client's malformed messages close the connection with a reason,
// valid ones in every mode are recorded and acked, and the handshake refuses a wrong key or user.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import net from 'node:net';
import { gzipSync } from 'node:zlib';
import { Decoder, encode, ExtData } from '@msgpack/msgpack';
import { startForwardStandin, type ForwardStandin } from '../../standins/forward/index.ts';

const CHUNK = 'p8n9gmxTQVC8/nh2wlKKeQ==';
const time = (sec: number, nsec: number) => {
  const data = new Uint8Array(8);
  const view = new DataView(data.buffer);
  view.setUint32(0, sec);
  view.setUint32(4, nsec);
  return new ExtData(0, data);
};
const entry = (sec: number, record: Record<string, unknown>) => encode([time(sec, 5), record]);
const sha512Hex = (...parts: Array<string | Uint8Array>) => {
  const h = createHash('sha512');
  for (const p of parts) h.update(p);
  return h.digest('hex');
};

/** A raw TCP client: writes bytes, collects what the stand-in answers, tells whether it closed. */
async function rawClient(port: number) {
  const socket = net.connect(port, '127.0.0.1');
  await new Promise<void>((resolve, reject) => socket.once('connect', resolve).once('error', reject));
  const replies: unknown[] = [];
  let closed = false;
  const ended = new Promise<void>((resolve) => socket.once('close', () => ((closed = true), resolve())));
  socket.on('error', () => undefined);
  void (async () => {
    try {
      for await (const m of new Decoder().decodeStream(socket)) replies.push(m);
    } catch {
      // closed by the stand-in
    }
  })();
  const waitFor = async (predicate: () => boolean, ms = 2000) => {
    const deadline = Date.now() + ms;
    while (!predicate() && Date.now() < deadline) await new Promise((r) => setTimeout(r, 5));
    return predicate();
  };
  return {
    socket,
    replies,
    get closed() {
      return closed;
    },
    ended,
    waitFor,
    send: (bytes: Uint8Array) => socket.write(bytes),
    close: () => socket.destroy(),
  };
}

let standin: ForwardStandin;
before(async () => {
  standin = await startForwardStandin({ name: 'strict' });
});
after(async () => {
  await standin.close();
});

describe('forward stand-in: transport', () => {
  test('PackedForward, CompressedPackedForward, Forward and Message modes are recorded and acked; nil is a heartbeat', async () => {
    const c = await rawClient(standin.port);
    const stream = Buffer.concat([entry(100, { a: 1 }), entry(101, { a: 2 })]);
    c.send(encode(null));
    c.send(encode(['t.packed', stream, { size: 2, chunk: CHUNK }]));
    c.send(encode(['t.gzip', gzipSync(stream), { size: 2, chunk: CHUNK, compressed: 'gzip' }]));
    c.send(encode(['t.forward', [[time(1, 0), { b: 1 }], [7, { b: 2 }]], { chunk: CHUNK }]));
    c.send(encode(['t.message', time(3, 999_999_999), { c: 1 }, { chunk: CHUNK }]));
    c.send(encode(['t.noack', stream]));
    assert.ok(await c.waitFor(() => c.replies.length === 4 && standin.received.length === 9));
    assert.deepEqual(c.replies, [{ ack: CHUNK }, { ack: CHUNK }, { ack: CHUNK }, { ack: CHUNK }]);
    assert.deepEqual(standin.received.map((r) => [r.tag, r.time.sec, r.time.nsec]), [
      ['t.packed', 100, 5], ['t.packed', 101, 5], ['t.gzip', 100, 5], ['t.gzip', 101, 5],
      ['t.forward', 1, 0], ['t.forward', 7, 0], ['t.message', 3, 999_999_999], ['t.noack', 100, 5], ['t.noack', 101, 5],
    ]);
    assert.equal(standin.messages[1]!.compressed, true);
    assert.equal(c.closed, false);
    assert.deepEqual(standin.violations, []);
    c.close();
  });

  const malformed: Array<[string, Uint8Array, RegExp]> = [
    ['a map instead of an array', encode({ tag: 'x' }), /request is not \[tag/],
    ['a non-string tag', encode([1, Buffer.alloc(0)]), /tag is not a non-empty str/],
    ['an EventTime of 4 bytes', encode(['t', [[new ExtData(0, new Uint8Array(4)), { a: 1 }]]]), /EventTime ext of 4 bytes, not 8/],
    ['nanoseconds of a whole second', encode(['t', [[time(1, 1_000_000_000), { a: 1 }]]]), /nanoseconds 1000000000 not under 1e9/],
    ['a time of another ext type', encode(['t', [[new ExtData(5, new Uint8Array(8)), { a: 1 }]]]), /time is neither an integer nor an EventTime/],
    ['a float time', encode(['t', [[1.5, { a: 1 }]]]), /time is neither/],
    ['an entry of three items', encode(['t', [[1, { a: 1 }, 2]]]), /entry 0 is not \[time, record\]/],
    ['a record that is an array', encode(['t', encode([1, [1, 2]])]), /PackedForward entry 0: record is not a map/],
    // [1, {1: "x"}] by hand: fixarray 2, int 1, fixmap 1, key int 1, fixstr "x".
    ['a record with an integer key', encode(['t', Buffer.from([0x92, 0x01, 0x81, 0x01, 0xa1, 0x78])]), /map key 1 is not a string/],
    // [1, {"a": str ED A0 80}]: a UTF-16 surrogate written as 3 bytes, not UTF-8.
    ['a str that is not UTF-8', encode(['t', Buffer.from([0x92, 0x01, 0x81, 0xa1, 0x61, 0xa3, 0xed, 0xa0, 0x80])]), /record\.a is a str that is not UTF-8/],
    ['a packed stream cut short', encode(['t', entry(1, { a: 1 }).subarray(0, 8)]), /PackedForward stream/],
    ['entries as str', encode(['t', 'abc']), /entries sent as str; send bin/],
    ['size that does not match', encode(['t', entry(1, { a: 1 }), { size: 2 }]), /option size 2 but 1 entries/],
    ['a chunk that is not 128 bits of Base64', encode(['t', entry(1, { a: 1 }), { chunk: 'abc' }]), /is not the Base64 of 128 bits/],
    ['compressed but not gzip', encode(['t', entry(1, { a: 1 }), { compressed: 'gzip' }]), /compressed entries are not gzip/],
    ['compressed: zstd', encode(['t', entry(1, { a: 1 }), { compressed: 'zstd' }]), /not "gzip"/],
    ['an option that is not a map', encode(['t', entry(1, { a: 1 }), 'opt']), /option is not a map/],
    ['bytes that are not msgpack', Buffer.from([0xc1]), /not a valid msgpack stream/],
  ];
  for (const [name, bytes, reason] of malformed) {
    test(`closes the connection on ${name}, recording nothing`, async () => {
      const before = standin.received.length;
      const violations = standin.violations.length;
      const c = await rawClient(standin.port);
      c.send(bytes);
      await c.ended;
      assert.equal(standin.received.length, before);
      assert.equal(standin.violations.length, violations + 1);
      assert.match(standin.violations.at(-1)!, reason);
      assert.deepEqual(c.replies, []);
    });
  }

  test('faults: a withheld ack, a connection dropped mid-message, a close after the ack', async () => {
    const big = Buffer.concat(Array.from({ length: 200 }, (_, i) => entry(i, { i, pad: 'x'.repeat(100) })));
    standin.inject({ kind: 'withhold-ack' });
    let c = await rawClient(standin.port);
    const before = standin.received.length;
    c.send(encode(['t', entry(1, { a: 1 }), { chunk: CHUNK }]));
    c.send(encode(['t', entry(2, { a: 2 }), { chunk: CHUNK }]));
    assert.ok(await c.waitFor(() => c.replies.length === 1));
    assert.equal(standin.received.length, before + 2, 'both taken, the first not acked');
    assert.equal(standin.counters.withheld, 1);
    c.close();

    standin.inject({ kind: 'drop', afterBytes: 5000 });
    c = await rawClient(standin.port);
    c.send(encode(['t', big, { chunk: CHUNK }]));
    await c.ended;
    assert.equal(standin.received.length, before + 2, 'nothing of the dropped message');
    assert.equal(standin.counters.dropped, 1);

    standin.inject({ kind: 'close-after-ack' });
    c = await rawClient(standin.port);
    c.send(encode(['t', entry(3, { a: 3 }), { chunk: CHUNK }]));
    await c.ended;
    assert.deepEqual(c.replies, [{ ack: CHUNK }]);
  });

  test('stop() kills the server (connections and port); start() listens on the same port again', async () => {
    const c = await rawClient(standin.port);
    const port = standin.port;
    await standin.stop();
    await c.ended;
    await assert.rejects(rawClient(port), /ECONNREFUSED/);
    await standin.start();
    assert.equal(standin.port, port);
    const d = await rawClient(port);
    d.send(encode(['t', entry(1, { a: 1 }), { chunk: CHUNK }]));
    assert.ok(await d.waitFor(() => d.replies.length === 1));
    d.close();
  });
});

describe('forward stand-in: handshake', () => {
  test('HELO with nonce and auth salt; a correct PING gets a PONG proving the key; a wrong key or user is refused and closed', async () => {
    const secure = await startForwardStandin({ name: 'agg-secure', sharedKey: 'sk', users: { alice: 'pw' } });
    try {
      const ping = async (key: string, user: string, password: string) => {
        const c = await rawClient(secure.port);
        assert.ok(await c.waitFor(() => c.replies.length === 1));
        const [type, options] = c.replies[0] as [string, { nonce: Uint8Array; auth: Uint8Array; keepalive: boolean }];
        assert.equal(type, 'HELO');
        assert.equal(options.nonce.length, 16);
        assert.equal(options.auth.length, 16);
        assert.equal(options.keepalive, true);
        const salt = 'abcdef0123456789';
        c.send(encode(['PING', 'client-1', salt, sha512Hex(salt, 'client-1', options.nonce, key), user, sha512Hex(options.auth, user, password)]));
        assert.ok(await c.waitFor(() => c.replies.length === 2));
        return { c, pong: c.replies[1] as unknown[], nonce: options.nonce, salt };
      };
      const ok = await ping('sk', 'alice', 'pw');
      assert.deepEqual(ok.pong.slice(0, 4), ['PONG', true, '', 'agg-secure']);
      assert.equal(ok.pong[4], sha512Hex(ok.salt, 'agg-secure', ok.nonce, 'sk'));
      ok.c.send(encode(['t', entry(1, { a: 1 }), { chunk: CHUNK }]));
      assert.ok(await ok.c.waitFor(() => ok.c.replies.length === 3));
      ok.c.close();

      const badKey = await ping('wrong', 'alice', 'pw');
      assert.deepEqual(badKey.pong, ['PONG', false, 'shared_key mismatch', 'agg-secure', '']);
      await badKey.c.ended;
      const badUser = await ping('sk', 'alice', 'nope');
      assert.deepEqual(badUser.pong.slice(0, 3), ['PONG', false, 'username/password mismatch']);
      await badUser.c.ended;
      assert.equal(secure.counters.authFailures, 2);
      assert.equal(secure.counters.handshakes, 1);

      // Events before the handshake are not a PING: the connection is closed.
      const eager = await rawClient(secure.port);
      eager.send(encode(['t', entry(1, { a: 1 }), { chunk: CHUNK }]));
      await eager.ended;
      assert.match(secure.violations.at(-1)!, /expected PING/);
      assert.equal(secure.received.length, 1);
    } finally {
      await secure.close();
    }
  });
});
