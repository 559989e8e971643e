// A Mezmo (LogDNA) ingest API stand-in on 127.0.0.1, for tests and the bench: checks auth, query, body shape and size.
import { FaultQueue, startHttpStandin, type Fault } from '../http-faults.ts';

/** "There is also a maximum payload size of 10 MB" (Mezmo API reference, "Send Log Lines"), as the adapter reads it. */
export const STANDIN_MAX_BODY_BYTES = 10_000_000;

export interface LogdnaReceivedLine {
  hostname: string;
  tags: string[];
  now: number | undefined;
  line: { timestamp: number; line: string; app?: string; level?: string; meta?: Record<string, unknown> };
}

export interface LogdnaCounters {
  requests: number;
  accepted: number;
  lines: number;
  byStatus: Record<number, number>;
  maxBodyBytes: number;
}

/** A 207 answer for the next request(s): the lines at the indexes of `refuse` get that status, the others are accepted. */
export interface PartialFault {
  refuse: Record<number, number>;
  times?: number;
}

export interface LogdnaStandin {
  endpoint: string;
  key: string;
  received: LogdnaReceivedLine[];
  counters: LogdnaCounters;
  violations: string[];
  inject(fault: Fault): void;
  injectPartial(fault: PartialFault): void;
  clearFaults(): void;
  close(): Promise<void>;
}

function userOf(authorization: string | undefined): string | undefined {
  if (!authorization?.startsWith('Basic ')) return undefined;
  const decoded = Buffer.from(authorization.slice(6), 'base64').toString('utf8');
  const colon = decoded.indexOf(':');
  return colon < 0 ? decoded : decoded.slice(0, colon);
}

function lineProblem(l: unknown): string | undefined {
  if (l === null || typeof l !== 'object') return 'a line is not an object';
  const o = l as Record<string, unknown>;
  if (typeof o.line !== 'string') return 'line.line is not a string';
  if (typeof o.timestamp !== 'number' || !Number.isInteger(o.timestamp) || o.timestamp < 1e11) return `line.timestamp ${String(o.timestamp)} is not epoch milliseconds`;
  if (o.app !== undefined && typeof o.app !== 'string') return 'line.app is not a string';
  if (o.level !== undefined && typeof o.level !== 'string') return 'line.level is not a string';
  if (o.meta !== undefined && (o.meta === null || typeof o.meta !== 'object' || Array.isArray(o.meta))) return 'line.meta is not an object';
  return undefined;
}

export async function startLogdnaStandin(options: { key?: string } = {}): Promise<LogdnaStandin> {
  const key = options.key ?? 'standin-logdna-key';
  const faults = new FaultQueue();
  let partials: Array<PartialFault & { left: number }> = [];
  const received: LogdnaReceivedLine[] = [];
  const violations: string[] = [];
  const counters: LogdnaCounters = { requests: 0, accepted: 0, lines: 0, byStatus: {}, maxBodyBytes: 0 };
  const count = (status: number) => (counters.byStatus[status] = (counters.byStatus[status] ?? 0) + 1);

  const server = await startHttpStandin(
    faults,
    ({ method, url, headers, body }) => {
      counters.requests++;
      const answer = (status: number, payload: unknown, violation?: string) => {
        count(status);
        if (violation) violations.push(violation);
        return { status, body: JSON.stringify(payload) };
      };
      if (url.pathname !== '/logs/ingest') return answer(404, { error: 'not found' }, `unknown path ${url.pathname}`);
      if (method !== 'POST') return answer(405, { error: 'method not allowed' }, `method ${method}`);
      const user = userOf(headers.authorization) ?? (headers.apikey as string | undefined) ?? url.searchParams.get('apikey') ?? undefined;
      if (user === undefined) return answer(401, { error: 'missing ingestion key' }, 'no credentials');
      if (user !== key) return answer(403, { error: 'invalid ingestion key' });
      const hostname = url.searchParams.get('hostname');
      if (!hostname) return answer(400, { error: 'hostname is required' }, 'no hostname query parameter');
      const nowText = url.searchParams.get('now');
      if (nowText !== null && !/^\d+$/.test(nowText)) return answer(400, { error: 'now must be epoch ms' }, `now=${nowText}`);
      counters.maxBodyBytes = Math.max(counters.maxBodyBytes, body.length);
      if (body.length > STANDIN_MAX_BODY_BYTES) return answer(413, { error: 'payload too large' }, `body of ${body.length} bytes over ${STANDIN_MAX_BODY_BYTES}`);
      let parsed: unknown;
      try {
        parsed = JSON.parse(body.toString('utf8'));
      } catch {
        return answer(400, { error: 'invalid JSON' }, 'body is not JSON');
      }
      const lines = (parsed as { lines?: unknown } | null)?.lines;
      if (!Array.isArray(lines)) return answer(400, { error: 'lines is required' }, 'body has no lines array');
      for (const l of lines) {
        const problem = lineProblem(l);
        if (problem) return answer(400, { error: problem }, problem);
      }
      const tagsText = url.searchParams.get('tags');
      const tags = tagsText ? tagsText.split(',') : [];
      const now = nowText === null ? undefined : Number(nowText);
      const partial = partials[0];
      const refused = new Map<number, number>();
      if (partial && lines.length > 0) {
        if (--partial.left <= 0) partials.shift();
        for (const [i, status] of Object.entries(partial.refuse)) if (Number(i) < lines.length) refused.set(Number(i), status);
      }
      lines.forEach((l, i) => {
        if (!refused.has(i)) received.push({ hostname, tags, now, line: l as LogdnaReceivedLine['line'] });
      });
      counters.lines += lines.length - refused.size;
      counters.accepted++;
      if (refused.size > 0) {
        return answer(207, { status: 'partial', errors: [...refused].map(([index, status]) => ({ index, status, error: `injected ${status}` })) });
      }
      return answer(200, { status: 'ok', batchID: `standin-${counters.requests}` });
    },
    count,
  );
  return {
    endpoint: server.endpoint,
    key,
    received,
    counters,
    violations,
    inject: (fault) => faults.inject(fault),
    injectPartial: (fault) => partials.push({ ...fault, left: fault.times ?? 1 }),
    clearFaults: () => {
      faults.clear();
      partials = [];
    },
    close: () => server.close(),
  };
}
