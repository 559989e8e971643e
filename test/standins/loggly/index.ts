// A Loggly bulk endpoint stand-in on 127.0.0.1, for tests and the bench: checks what Loggly documents, records what it accepts.
import { FaultQueue, startHttpStandin, type Fault } from '../http-faults.ts';

/** Loggly's documented limits ("HTTP/S Bulk Endpoint": 5MB per batch, 1MB per event), as the adapter reads them. */
export const STANDIN_MAX_BATCH_BYTES = 5_000_000;
export const STANDIN_MAX_EVENT_BYTES = 1_000_000;
const TAG = /^[A-Za-z0-9._-]+$/;
const BULK_PATH = /^\/bulk\/([^/]+)\/(?:tag\/([^/]*)\/?)?$/;

export interface LogglyReceived {
  tags: string[];
  /** The event, parsed when it is JSON, else the raw line. */
  event: unknown;
  bytes: number;
}

export interface LogglyCounters {
  requests: number;
  /** Requests answered 200 (empty healthcheck requests included). */
  accepted: number;
  /** Events recorded. */
  events: number;
  /** Answers by status, injected faults included (0: connection reset). */
  byStatus: Record<number, number>;
  /** Largest body seen, in bytes. */
  maxBodyBytes: number;
}

export interface LogglyStandin {
  endpoint: string;
  token: string;
  received: LogglyReceived[];
  counters: LogglyCounters;
  /** Protocol breaches a real Loggly would refuse or mangle (bad path, oversize body or event, bad tag). */
  violations: string[];
  inject(fault: Fault): void;
  clearFaults(): void;
  close(): Promise<void>;
}

export async function startLogglyStandin(options: { token?: string } = {}): Promise<LogglyStandin> {
  const token = options.token ?? 'standin-loggly-token';
  const faults = new FaultQueue();
  const received: LogglyReceived[] = [];
  const violations: string[] = [];
  const counters: LogglyCounters = { requests: 0, accepted: 0, events: 0, byStatus: {}, maxBodyBytes: 0 };
  const count = (status: number) => (counters.byStatus[status] = (counters.byStatus[status] ?? 0) + 1);

  const server = await startHttpStandin(
    faults,
    ({ method, url, body }) => {
      counters.requests++;
      const answer = (status: number, response: string, violation?: string) => {
        count(status);
        if (violation) violations.push(violation);
        return { status, body: JSON.stringify({ response }) };
      };
      const m = BULK_PATH.exec(url.pathname);
      if (!m) return answer(404, 'not found', `unknown path ${url.pathname.replace(token, '***')}`);
      if (method !== 'POST') return answer(405, 'method not allowed', `method ${method}`);
      if (decodeURIComponent(m[1]!) !== token) return answer(403, 'forbidden');
      const tags = m[2] ? m[2].split(',') : [];
      for (const t of tags) if (!TAG.test(t)) return answer(400, 'bad tag', `tag ${JSON.stringify(t)} has characters Loggly does not accept`);
      counters.maxBodyBytes = Math.max(counters.maxBodyBytes, body.length);
      if (body.length > STANDIN_MAX_BATCH_BYTES) return answer(413, 'too large', `body of ${body.length} bytes over ${STANDIN_MAX_BATCH_BYTES}`);
      const lines = body.toString('utf8').split('\n');
      const batch: LogglyReceived[] = [];
      for (const line of lines) {
        if (line === '') continue;
        const bytes = Buffer.byteLength(line);
        if (bytes > STANDIN_MAX_EVENT_BYTES) return answer(413, 'event too large', `event of ${bytes} bytes over ${STANDIN_MAX_EVENT_BYTES}`);
        let event: unknown = line;
        try {
          event = JSON.parse(line);
        } catch {
          // Loggly takes plain text too; the adapter's tests check that every event is JSON.
        }
        batch.push({ tags, event, bytes });
      }
      for (const r of batch) received.push(r);
      counters.events += batch.length;
      counters.accepted++;
      return answer(200, 'ok');
    },
    count,
  );
  return {
    endpoint: server.endpoint,
    token,
    received,
    counters,
    violations,
    inject: (fault) => faults.inject(fault),
    clearFaults: () => faults.clear(),
    close: () => server.close(),
  };
}
