// One POST of an HTTP destination: the body gzipped when asked, a 2xx reply returned, anything else thrown as
// the classified error that the destination's classify() understands.
import { promisify } from 'node:util';
import { gzip as gzipCallback } from 'node:zlib';
import type { HttpClient, HttpReply } from './client.ts';
import { replyError, transportError, type RequestContext } from './failure.ts';

const gzip = promisify(gzipCallback);

/**
 * Measured with `node bench/gzip-level.bench.ts` (a 3 MB Loggly bulk body of the bench's records, 2026-12-04,
 * CPU ms per MB / ratio): level 1 5.5 / 6.1x, 3 6.9 / 7.3x, 6 (zlib's default) 15.1 / 8.6x, 9 21.4 / 8.7x.
 * Level 3 takes under half the default's CPU for 18% more bytes on the wire: a shipper's CPU is the host's.
 */
export const GZIP_LEVEL = 3;

export async function postChecked(
  client: HttpClient,
  url: string,
  body: string | Buffer,
  headers: Record<string, string>,
  options: { gzip: boolean; context: RequestContext; signal?: AbortSignal | undefined },
): Promise<HttpReply> {
  // Bytes, not a string: got encodes a string body twice, once to size it and once to send it (measured:
  // 2.2% of the daemon's CPU samples in TextEncoder under got, all four destinations on a 200,000-entry backlog).
  let payload = typeof body === 'string' ? Buffer.from(body) : body;
  let sent = headers;
  if (options.gzip) {
    payload = await gzip(payload, { level: GZIP_LEVEL });
    sent = { ...headers, 'content-encoding': 'gzip' };
  }
  let reply: HttpReply;
  try {
    reply = await client.post(url, payload, sent, options.signal);
  } catch (error) {
    throw transportError(error, options.context);
  }
  if (reply.status < 200 || reply.status > 299) throw replyError(reply, options.context);
  return reply;
}
