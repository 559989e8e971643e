// HttpClient.post: what goes on the wire. The body is handed to got as a one-shot generator (see client.ts),
// so the request must still carry a content-length, no chunked encoding, and the exact bytes.
import assert from 'node:assert/strict';
import http from 'node:http';
import { after, before, describe, test } from 'node:test';
import { gunzipSync } from 'node:zlib';
import { HttpClient } from '../../../adapters/http/client.ts';
import { postChecked } from '../../../adapters/http/post.ts';

interface Seen {
  method: string;
  headers: http.IncomingHttpHeaders;
  body: Buffer;
}

describe('HttpClient.post on the wire', { timeout: 30_000 }, () => {
  const seen: Seen[] = [];
  let server: http.Server;
  let url = '';
  const client = new HttpClient({ timeoutMs: 5_000, maxSockets: 2 });

  before(async () => {
    server = http.createServer((req, res) => {
      const parts: Buffer[] = [];
      req.on('data', (d: Buffer) => parts.push(d));
      req.on('end', () => {
        seen.push({ method: req.method!, headers: req.headers, body: Buffer.concat(parts) });
        res.writeHead(202, { 'content-type': 'text/plain' }).end('accepted');
      });
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    url = `http://127.0.0.1:${(server.address() as { port: number }).port}/bulk`;
  });
  after(async () => {
    client.close();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  });

  test('a Buffer body: its bytes with their content-length, not chunked; the reply comes back', async () => {
    const body = Buffer.from(Array.from({ length: 300_000 }, (_, i) => i % 251));
    const reply = await client.post(url, body, { 'content-type': 'application/octet-stream' });
    assert.equal(reply.status, 202);
    assert.equal(reply.body, 'accepted');
    const req = seen.at(-1)!;
    assert.equal(req.method, 'POST');
    assert.equal(req.headers['content-length'], String(body.length));
    assert.equal(req.headers['transfer-encoding'], undefined);
    assert.equal(req.headers['user-agent'], 'journal-fanout');
    assert.ok(req.body.equals(body));
  });

  test('a string body is sent as its UTF-8 bytes, counted in bytes', async () => {
    await client.post(url, 'é ü 日本\n', { 'content-type': 'text/plain; charset=utf-8' });
    const req = seen.at(-1)!;
    assert.equal(req.headers['content-length'], String(Buffer.byteLength('é ü 日本\n')));
    assert.equal(req.body.toString('utf8'), 'é ü 日本\n');
  });

  test('gzipped through postChecked: content-encoding, the compressed length, and the same bytes once inflated', async () => {
    const body = Buffer.from('{"message":"hello"}\n'.repeat(5_000));
    await postChecked(client, url, body, { 'content-type': 'text/plain' }, { gzip: true, context: { destination: 'test', request: 'POST /bulk', secret: 'none', table: {} } });
    const req = seen.at(-1)!;
    assert.equal(req.headers['content-encoding'], 'gzip');
    assert.equal(req.headers['content-length'], String(req.body.length));
    assert.ok(gunzipSync(req.body).equals(body));
  });

  test('two requests in a row on one keep-alive socket each carry their own body', async () => {
    const before = seen.length;
    await Promise.all([client.post(url, Buffer.from('first'), {}), client.post(url, Buffer.from('second'), {})]);
    assert.deepEqual(seen.slice(before).map((s) => s.body.toString()).sort(), ['first', 'second']);
  });
});
