// Helpers of the metrics tests: an in-memory destination with a scripted fate, HTTP GET, and exposition parsing.
import http from 'node:http';
import type { LogRecord } from '../../src/model/log-record.ts';
import { ALL_ACCEPTED, type BatchLimits, type Destination, type Encoded, type FailureAction, type SendResult } from '../../src/pipeline/destination.ts';

export class ScriptedFailure extends Error {
  readonly action: FailureAction['action'];
  constructor(action: FailureAction['action'], reason: string) {
    super(reason);
    this.action = action;
  }
}

/** A destination that keeps what it was sent; `script` decides each request's fate (throw a ScriptedFailure to fail it). */
export class MemoryDestination implements Destination<string> {
  readonly id: string;
  readonly type = 'memory';
  readonly limits: BatchLimits = { maxEvents: 1000, maxBytes: 1_000_000, flushIntervalMs: 20, concurrency: 2 };
  readonly accepted: string[] = [];
  calls = 0;
  script: (call: number, events: string[]) => Promise<SendResult> | SendResult;

  constructor(id: string, script: MemoryDestination['script'] = () => ALL_ACCEPTED) {
    this.id = id;
    this.script = script;
  }
  async start(): Promise<void> {}
  key(): string {
    return '';
  }
  encode(record: LogRecord): Array<Encoded<string>> {
    return [{ data: record.message, size: Buffer.byteLength(record.message) + 10, time: record.time }];
  }
  async send(_key: string, events: string[]): Promise<SendResult> {
    this.calls++;
    const result = await this.script(this.calls, events);
    this.accepted.push(...events);
    return result;
  }
  classify(error: unknown): FailureAction {
    const e = error as ScriptedFailure;
    return e.action === 'retry' ? { action: 'retry', reason: e.message, retryAfterMs: 1 } : { action: e.action ?? 'fatal', reason: e.message };
  }
  async close(): Promise<void> {}
}

export function get(port: number, path: string, method = 'GET'): Promise<{ status: number; type: string; body: string }> {
  return new Promise((resolve, reject) => {
    const req = http.request({ host: '127.0.0.1', port, path, method, timeout: 5000 }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (d: string) => (body += d));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, type: String(res.headers['content-type'] ?? ''), body }));
    });
    req.on('timeout', () => req.destroy(new Error(`GET ${path} timed out`)));
    req.on('error', reject);
    req.end();
  });
}

/** The value of one sample of the Prometheus text exposition, or undefined when absent. Labels must all match. */
export function sample(text: string, name: string, labels: Record<string, string> = {}): number | undefined {
  for (const line of text.split('\n')) {
    if (line.startsWith('#')) continue;
    const m = /^([a-zA-Z_:][a-zA-Z0-9_:]*)(?:\{(.*)\})? (\S+)$/.exec(line);
    if (!m || m[1] !== name) continue;
    const have: Record<string, string> = {};
    for (const pair of (m[2] ?? '').matchAll(/([a-zA-Z_][a-zA-Z0-9_]*)="((?:[^"\\]|\\.)*)"/g)) have[pair[1]!] = pair[2]!;
    if (Object.entries(labels).every(([k, v]) => have[k] === v) && Object.keys(have).length === Object.keys(labels).length) return Number(m[3]);
  }
  return undefined;
}

/** Polls `predicate` every 25 ms until it holds, or fails after `timeoutMs`. */
export async function until(predicate: () => boolean | Promise<boolean>, what: string, timeoutMs = 15_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await predicate())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 25));
  }
}
