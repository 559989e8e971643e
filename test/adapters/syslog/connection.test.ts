// What "delivered" means on TCP: the server's TCP stack acknowledged the batch and the connection then stood for
// settle_time. Against plain 127.0.0.1 servers that misbehave on purpose (close at once, reset after reading).
import { afterEach, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import net from 'node:net';
import { setTimeout as sleep } from 'node:timers/promises';
import syslog from '../../../adapters/syslog/index.ts';
import { StreamTransport } from '../../../adapters/syslog/stream-transport.ts';
import { tcpAcks } from '../../../adapters/syslog/tcp-acks.ts';
import { DestinationError } from '../../../src/model/errors.ts';
import { capturedLogger } from '../../standins/sample-records.ts';

interface TestServer {
  port: number;
  received: () => string;
  connections: number;
  close(): Promise<void>;
}

/** A server that hands each connection to `onConnection` and records what it read. */
async function server(onConnection: (socket: net.Socket, index: number) => void = () => {}): Promise<TestServer> {
  let data = '';
  const sockets = new Set<net.Socket>();
  const s: TestServer = {
    port: 0,
    received: () => data,
    connections: 0,
    close: async () => {
      for (const socket of sockets) socket.destroy();
      await new Promise((resolve) => srv.close(resolve));
    },
  };
  const srv = net.createServer((socket) => {
    sockets.add(socket);
    socket.on('data', (d: Buffer) => (data += d.toString()));
    socket.on('error', () => {});
    onConnection(socket, s.connections++);
  });
  await new Promise<void>((resolve) => srv.listen(0, '127.0.0.1', resolve));
  s.port = (srv.address() as net.AddressInfo).port;
  return s;
}

const open: Array<{ close(): Promise<void> }> = [];
afterEach(async () => {
  for (const o of open.splice(0)) await o.close();
});

function transport(port: number, settleMs: number): StreamTransport {
  const t = new StreamTransport({ endpoint: { transport: 'tcp', host: '127.0.0.1', port }, connectTimeoutMs: 2000, settleMs, logger: capturedLogger().logger });
  open.push(t);
  return t;
}

const signal = () => new AbortController().signal;

describe('TCP acknowledgements', () => {
  test('this Linux reports them (TCP_INFO through koffi), so the strict path is the one tested and shipped', async () => {
    const s = await server();
    open.push(s);
    const socket = net.connect(s.port, '127.0.0.1');
    await new Promise((resolve) => socket.once('connect', resolve));
    const acks = await tcpAcks(socket);
    assert.notEqual(typeof acks, 'string', String(acks));
    socket.destroy();
  });

  test('a batch resolves once acknowledged and after settle_time, not before', async () => {
    const s = await server();
    open.push(s);
    const t = transport(s.port, 150);
    await t.connect();
    const started = performance.now();
    await t.send(Buffer.from('5 hello'), signal());
    const took = performance.now() - started;
    assert.ok(took >= 145, `resolved after ${took.toFixed(0)} ms, before settle_time`);
    assert.equal(s.received(), '5 hello');
  });

  test('bytes written after the server closed never count as delivered (the write callback alone would say they were)', async () => {
    // The server closes each connection at once; the client writes before its event loop saw the FIN.
    const s = await server((socket) => socket.destroy());
    open.push(s);
    const t = transport(s.port, 0);
    await t.connect();
    const until = Date.now() + 100;
    while (Date.now() < until); // the FIN arrives meanwhile, unread by Node
    const error = await t.send(Buffer.from('6 lost-1'), signal()).then(() => undefined, (e: unknown) => e);
    assert.ok(error instanceof DestinationError, `send resolved: ${String(error)}`);
    assert.equal(error.retryable, true);
    assert.match(error.message, /tcp:\/\/127\.0\.0\.1:\d+: .*unacknowledged batches are sent again after reconnecting|server closed/);
  });

  test('a server that reads a batch and resets within settle_time makes it fail: it is sent again, on a new connection', async () => {
    const s = await server((socket, index) => {
      if (index === 0) socket.once('data', () => setTimeout(() => socket.resetAndDestroy(), 20));
    });
    open.push(s);
    const t = transport(s.port, 300);
    const error = await t.send(Buffer.from('7 batch-1'), signal()).then(() => undefined, (e: unknown) => e);
    assert.ok(error instanceof DestinationError, 'the reset within settle_time fails the batch');
    await t.send(Buffer.from('7 batch-1'), signal());
    assert.equal(s.connections, 2);
    assert.equal(s.received(), '7 batch-17 batch-1', 'a duplicate, not a loss');
  });

  test('an abort while waiting for settle_time fails that batch only; the connection stays', async () => {
    const s = await server();
    open.push(s);
    const t = transport(s.port, 500);
    const controller = new AbortController();
    const first = t.send(Buffer.from('1 a'), controller.signal);
    const second = t.send(Buffer.from('1 b'), signal());
    await sleep(50);
    controller.abort(new Error('request timed out'));
    await assert.rejects(first, /request timed out before the server acknowledged the batch/);
    await second;
    assert.equal(s.connections, 1);
  });

  test('a server that stops reading: the batch fails after request_timeout, its connection is closed, the error says so', async () => {
    const s = await server((socket) => socket.pause());
    open.push(s);
    const d = syslog.create(syslog.schema.parse({ type: 'syslog', url: `tcp://127.0.0.1:${s.port}`, request_timeout: '1s', settle_time: 0 }), { id: 'syslog', host: 'h', logger: capturedLogger().logger });
    open.push(d);
    const started = performance.now();
    // Far more than the kernel buffers of both ends hold, so the write cannot complete.
    const batch = Array.from({ length: 400 }, () => `${'x'.repeat(250_000)}\n`);
    const error = await d.send('0', batch, signal()).then(() => undefined, (e: unknown) => e);
    const took = performance.now() - started;
    assert.ok(error instanceof DestinationError, String(error));
    assert.match(error.message, /not acknowledged within request_timeout \(1000 ms\); is the server reading\?/);
    assert.equal(d.classify(error).action, 'retry');
    assert.ok(took >= 990 && took < 5000, `failed after ${took.toFixed(0)} ms`);
  });

  test('connect failures name the place and the fix', async () => {
    const s = await server();
    const port = s.port;
    await s.close();
    const error = await transport(port, 0).connect().then(() => undefined, (e: unknown) => e);
    assert.ok(error instanceof DestinationError);
    assert.match(error.message, new RegExp(`^tcp://127\\.0\\.0\\.1:${port}: cannot connect: .*ECONNREFUSED.*is the syslog server running, and is the port right\\?`));
    assert.equal(error.retryable, true);
  });
});
