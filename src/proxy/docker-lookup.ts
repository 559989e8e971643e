// DockerLookup: who a syslog tag is, from the Docker Engine API (GET /containers/{id}/json on the unix socket),
// cached, so that each container costs one request however much it logs.
//
// Bounded on every side, because tags come from the senders: the cache holds at most `cacheSize` containers
// (oldest out first); an unknown container (404) is remembered as unknown for `notFoundTtlMs` and a failed
// request (timeout, 5xx, socket error) for `errorTtlMs`, so a flood of unknown or garbage tags costs Docker
// one request per tag per TTL; concurrent lookups of one tag share a request; at most `maxInFlight` requests
// run at once and a lookup beyond that fails at once (counted) instead of queueing without end.
import http from 'node:http';
import type { ContainerFacts } from './journal-fields.ts';

export interface DockerLookupOptions {
  socketPath: string;
  timeoutMs: number;
  cacheSize?: number;
  notFoundTtlMs?: number;
  errorTtlMs?: number;
  maxInFlight?: number;
  /** Clock of the negative cache, for tests. */
  now?: () => number;
  /** Each request sent to dockerd, by outcome: `ok` or the failure's reason. */
  onRequest?: (outcome: string) => void;
}

/** Why a lookup gave no facts: `not_found` (404), `not_a_container` (the tag cannot name one), else the failure. */
export type LookupFailure = { reason: 'not_found' | 'not_a_container' | 'timeout' | 'busy' | 'bad_response' | 'error'; detail: string };
export type LookupResult = { facts: ContainerFacts; failure?: undefined } | { facts?: undefined; failure: LookupFailure };

const DEFAULT_CACHE_SIZE = 4096;
const DEFAULT_NOT_FOUND_TTL_MS = 60_000;
const DEFAULT_ERROR_TTL_MS = 5_000;
const DEFAULT_MAX_IN_FLIGHT = 64;
/** Connections kept to dockerd: lookups are rare (one per new container) and small. */
const MAX_SOCKETS = 4;
/** A container inspect answer is a few KiB; anything far larger is not one. */
const MAX_RESPONSE_BYTES = 4 * 1024 * 1024;

/** Docker accepts a full ID, a unique ID prefix or a name ([a-zA-Z0-9][a-zA-Z0-9_.-]+); nothing else can name a container. */
const CONTAINER_REF = /^[a-zA-Z0-9][a-zA-Z0-9_.-]{0,254}$/;

interface Negative {
  until: number;
  failure: LookupFailure;
}

export class DockerLookup {
  readonly #opts: Required<DockerLookupOptions>;
  readonly #agent: http.Agent;
  readonly #facts = new Map<string, ContainerFacts>();
  readonly #negative = new Map<string, Negative>();
  readonly #inFlight = new Map<string, Promise<LookupResult>>();
  /** Requests sent to dockerd so far (tests check the caching with it). */
  requests = 0;

  constructor(options: DockerLookupOptions) {
    this.#opts = {
      cacheSize: DEFAULT_CACHE_SIZE,
      notFoundTtlMs: DEFAULT_NOT_FOUND_TTL_MS,
      errorTtlMs: DEFAULT_ERROR_TTL_MS,
      maxInFlight: DEFAULT_MAX_IN_FLIGHT,
      now: Date.now,
      onRequest: () => {},
      ...options,
    };
    this.#agent = new http.Agent({ keepAlive: true, maxSockets: MAX_SOCKETS });
  }

  /** Whether `ref` can name a container at all (else lookup() fails with `not_a_container` without asking). */
  static canName(ref: string): boolean {
    return CONTAINER_REF.test(ref);
  }

  /** The cached answer without asking Docker: facts, a remembered failure, or undefined (not known yet). */
  cached(ref: string): LookupResult | undefined {
    const facts = this.#facts.get(ref);
    if (facts !== undefined) return { facts };
    const negative = this.#negative.get(ref);
    if (negative !== undefined) {
      if (negative.until > this.#opts.now()) return { failure: negative.failure };
      this.#negative.delete(ref);
    }
    return undefined;
  }

  /** The container `ref` names, from the cache or from Docker. Never rejects. */
  lookup(ref: string): Promise<LookupResult> {
    const cached = this.cached(ref);
    if (cached !== undefined) return Promise.resolve(cached);
    if (!DockerLookup.canName(ref)) {
      return Promise.resolve(this.#remember(ref, { reason: 'not_a_container', detail: `tag ${JSON.stringify(ref)} is not a container ID or name` }));
    }
    const running = this.#inFlight.get(ref);
    if (running !== undefined) return running;
    if (this.#inFlight.size >= this.#opts.maxInFlight) {
      return Promise.resolve(this.#remember(ref, { reason: 'busy', detail: `${this.#inFlight.size} lookups already waiting on the Docker API` }));
    }
    const request = this.#request(ref).then((result) => {
      this.#inFlight.delete(ref);
      this.#opts.onRequest(result.facts !== undefined ? 'ok' : result.failure.reason);
      if (result.facts !== undefined) {
        this.#store(ref, result.facts);
        return result;
      }
      return this.#remember(ref, result.failure);
    });
    this.#inFlight.set(ref, request);
    return request;
  }

  /** Lookups waiting on Docker (shutdown waits for them). */
  pending(): Promise<unknown> {
    return Promise.allSettled([...this.#inFlight.values()]);
  }

  get size(): number {
    return this.#facts.size;
  }

  close(): void {
    this.#agent.destroy();
  }

  #store(ref: string, facts: ContainerFacts): void {
    if (this.#facts.size >= this.#opts.cacheSize) this.#facts.delete(this.#facts.keys().next().value!);
    this.#facts.set(ref, facts);
  }

  #remember(ref: string, failure: LookupFailure): LookupResult {
    const ttl = failure.reason === 'not_found' || failure.reason === 'not_a_container' ? this.#opts.notFoundTtlMs : this.#opts.errorTtlMs;
    if (this.#negative.size >= this.#opts.cacheSize) this.#negative.delete(this.#negative.keys().next().value!);
    this.#negative.set(ref, { until: this.#opts.now() + ttl, failure });
    return { failure };
  }

  #request(ref: string): Promise<LookupResult> {
    this.requests++;
    const { socketPath, timeoutMs } = this.#opts;
    return new Promise((resolve) => {
      let settled = false;
      const done = (result: LookupResult) => {
        if (settled) return;
        settled = true;
        clearTimeout(timer);
        resolve(result);
      };
      const req = http.request({ socketPath, path: `/containers/${encodeURIComponent(ref)}/json`, method: 'GET', agent: this.#agent, headers: { accept: 'application/json' } }, (res) => {
        const chunks: Buffer[] = [];
        let size = 0;
        res.on('data', (chunk: Buffer) => {
          size += chunk.length;
          if (size > MAX_RESPONSE_BYTES) {
            req.destroy();
            done({ failure: { reason: 'bad_response', detail: `answer larger than ${MAX_RESPONSE_BYTES} bytes` } });
            return;
          }
          chunks.push(chunk);
        });
        res.on('error', (error) => done({ failure: { reason: 'error', detail: error.message } }));
        res.on('end', () => done(interpret(ref, res.statusCode ?? 0, Buffer.concat(chunks).toString('utf8'))));
      });
      const timer = setTimeout(() => {
        req.destroy();
        done({ failure: { reason: 'timeout', detail: `no answer from ${socketPath} within ${timeoutMs} ms` } });
      }, timeoutMs);
      req.on('error', (error: NodeJS.ErrnoException) => done({ failure: { reason: 'error', detail: `${socketPath}: ${error.code ?? error.message}` } }));
      req.end();
    });
  }
}

function dockerMessage(body: string): string {
  try {
    const parsed = JSON.parse(body) as { message?: unknown };
    if (typeof parsed.message === 'string') return parsed.message;
  } catch {
    // not JSON
  }
  return body.slice(0, 200);
}

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

function stringRecord(v: unknown): Record<string, string> {
  const out: Record<string, string> = {};
  if (isObject(v)) for (const [k, value] of Object.entries(v)) if (typeof value === 'string') out[k] = value;
  return out;
}

/** An Engine API answer -> facts, or the failure it says. */
export function interpret(ref: string, status: number, body: string): LookupResult {
  if (status === 404) return { failure: { reason: 'not_found', detail: dockerMessage(body) || `no such container: ${ref}` } };
  if (status !== 200) return { failure: { reason: 'error', detail: `HTTP ${status}: ${dockerMessage(body)}` } };
  let parsed: unknown;
  try {
    parsed = JSON.parse(body);
  } catch {
    return { failure: { reason: 'bad_response', detail: 'the answer is not JSON' } };
  }
  if (!isObject(parsed) || typeof parsed.Id !== 'string' || !/^[0-9a-f]{64}$/.test(parsed.Id) || typeof parsed.Name !== 'string') {
    return { failure: { reason: 'bad_response', detail: 'the answer has no container Id and Name' } };
  }
  const config = isObject(parsed.Config) ? parsed.Config : {};
  const hostConfig = isObject(parsed.HostConfig) ? parsed.HostConfig : {};
  const logConfig = isObject(hostConfig.LogConfig) ? hostConfig.LogConfig : {};
  return {
    facts: {
      id: parsed.Id,
      name: parsed.Name.startsWith('/') ? parsed.Name.slice(1) : parsed.Name,
      image: typeof config.Image === 'string' ? config.Image : '',
      labels: stringRecord(config.Labels),
      env: Array.isArray(config.Env) ? config.Env.filter((e): e is string => typeof e === 'string') : [],
      logOptions: stringRecord(logConfig.Config),
    },
  };
}
