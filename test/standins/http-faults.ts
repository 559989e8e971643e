// Shared plumbing of the HTTP stand-ins (Loggly, LogDNA): a 127.0.0.1 server that reads bodies, and injected faults.
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { gunzipSync } from 'node:zlib';

/** What the next matching request gets instead of the normal answer. `times` defaults to 1 (Infinity: forever). */
export type Fault =
  | { kind: 'status'; status: number; retryAfter?: string; body?: string; times?: number }
  | { kind: 'latency'; ms: number; times?: number }
  | { kind: 'reset'; times?: number };

export class FaultQueue {
  #queue: Array<Fault & { left: number }> = [];
  inject(fault: Fault): void {
    this.#queue.push({ ...fault, left: fault.times ?? 1 });
  }
  clear(): void {
    this.#queue = [];
  }
  /** The fault for this request, if any: faults apply in the order injected, one per request. */
  take(): { latencyMs: number; fault: Exclude<Fault, { kind: 'latency' }> | undefined } {
    const head = this.#queue[0];
    if (!head) return { latencyMs: 0, fault: undefined };
    if (--head.left <= 0) this.#queue.shift();
    // A latency fault delays the request, which then gets its normal answer.
    if (head.kind === 'latency') return { latencyMs: head.ms, fault: undefined };
    return { latencyMs: 0, fault: head };
  }
}

export interface StandinRequest {
  method: string;
  url: URL;
  headers: http.IncomingHttpHeaders;
  /** The body, gunzipped when Content-Encoding: gzip. */
  body: Buffer;
}
export interface StandinReply {
  status: number;
  body: string;
  headers?: Record<string, string>;
}

export interface HttpStandinServer {
  endpoint: string;
  close(): Promise<void>;
}

/** Serves `handle` on 127.0.0.1 (a free port), applying faults first. Bodies are read whole (tests only). */
export async function startHttpStandin(faults: FaultQueue, handle: (request: StandinRequest) => StandinReply, onFault: (status: number) => void): Promise<HttpStandinServer> {
  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      void (async () => {
        const { latencyMs, fault } = faults.take();
        if (latencyMs > 0) {
          await new Promise((r) => setTimeout(r, latencyMs));
          // The client gave up while we were slow (its timeout, an abort): record nothing, so tests stay independent.
          if (req.socket.destroyed) return;
        }
        if (fault?.kind === 'reset') {
          onFault(0);
          req.socket.destroy();
          return;
        }
        if (fault?.kind === 'status') {
          onFault(fault.status);
          const headers: Record<string, string> = { 'content-type': 'application/json' };
          if (fault.retryAfter !== undefined) headers['retry-after'] = fault.retryAfter;
          res.writeHead(fault.status, headers).end(fault.body ?? JSON.stringify({ error: `injected ${fault.status}` }));
          return;
        }
        let body = Buffer.concat(chunks);
        if (req.headers['content-encoding'] === 'gzip') body = gunzipSync(body);
        const reply = handle({ method: req.method ?? 'GET', url: new URL(req.url ?? '/', 'http://127.0.0.1'), headers: req.headers, body });
        res.writeHead(reply.status, { 'content-type': 'application/json', ...reply.headers }).end(reply.body);
      })();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    endpoint: `http://127.0.0.1:${port}`,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
