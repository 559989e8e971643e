// Batches, sends, retries and acknowledges records for one destination: written once for every adapter.
import PQueue from 'p-queue';
import type { LogRecord } from '../model/log-record.ts';
import type { Logger } from '../selflog/logger.ts';
import { backoffDelay, DEFAULT_BACKOFF, type BackoffOptions } from './backoff.ts';
import type { Destination, Encoded, FailureAction } from './destination.ts';

/** Counters the runner reports; the metrics module implements them. */
export interface RunnerCounters {
  sent(events: number, bytes: number): void;
  rejected(reason: string, events: number): void;
  retried(reason: string): void;
  requestSeconds(seconds: number, outcome: 'ok' | 'retry' | 'reject' | 'fatal'): void;
}

export interface RunnerOptions {
  logger: Logger;
  /** Called once per record when the destination is done with it (accepted, or refused for good). */
  onDone: (seq: number, joinedSeqs: readonly number[] | undefined) => void;
  /** Called once when the destination failed for good (bad credentials...): it stops, its buffer is dropped. */
  onFatal?: (reason: string) => void;
  counters?: RunnerCounters;
  /** Bound of what this destination may hold in memory, in records and in encoded bytes. */
  maxBufferedRecords?: number;
  maxBufferedBytes?: number;
  /** Longest one request may take before it is aborted and retried. */
  requestTimeoutMs?: number;
  backoff?: BackoffOptions;
}

/**
 * What a batch keeps of a record to acknowledge it: its seq, or with its joined entries' seqs. Not the record
 * itself: a record's strings may be slices of a 64 KiB read chunk, and holding records until the batch is
 * sent would keep every chunk they came from alive.
 */
type AckRef = number | { seq: number; joined: number[] };

interface Batch<E> {
  key: string;
  events: E[];
  /** owners[i] acknowledges the record whose last event is events[i], else null. */
  owners: Array<AckRef | null>;
  bytes: number;
  records: number;
  minTime: number;
  maxTime: number;
  openedAt: number;
  attempt: number;
  /** Records that encoded to no event: done when this batch is. */
  pendingEmpty?: AckRef[];
}

interface KeyState<E> {
  open: Batch<E> | null;
  sealed: Batch<E>[];
  busy: boolean;
}

export const DEFAULT_MAX_BUFFERED_RECORDS = 20_000;
/**
 * Enough for a second of batches (CloudWatch's flush_interval) at 10,000 entries/s of about 1 KB each: a
 * buffer smaller than rate x flush_interval is full in a steady state and sends early, in small requests.
 */
export const DEFAULT_MAX_BUFFERED_BYTES = 16 * 1024 * 1024;
export const DEFAULT_REQUEST_TIMEOUT_MS = 30_000;

export class DestinationRunner<E = unknown> {
  readonly destination: Destination<E>;
  readonly #opts: Required<Omit<RunnerOptions, 'counters' | 'onFatal'>> & Pick<RunnerOptions, 'counters' | 'onFatal'>;
  readonly #keys = new Map<string, KeyState<E>>();
  readonly #queue: PQueue;
  readonly #inflight = new Set<AbortController>();
  readonly #retryTimers = new Set<NodeJS.Timeout>();
  #bufferedRecords = 0;
  #bufferedBytes = 0;
  #waiters: Array<() => void> = [];
  #idleWaiters: Array<() => void> = [];
  #ticker: NodeJS.Timeout | undefined;
  #failed: string | undefined;
  #closed = false;

  constructor(destination: Destination<E>, options: RunnerOptions) {
    this.destination = destination;
    this.#opts = {
      maxBufferedRecords: DEFAULT_MAX_BUFFERED_RECORDS,
      maxBufferedBytes: DEFAULT_MAX_BUFFERED_BYTES,
      requestTimeoutMs: DEFAULT_REQUEST_TIMEOUT_MS,
      backoff: DEFAULT_BACKOFF,
      ...options,
    };
    this.#queue = new PQueue({ concurrency: destination.limits.concurrency });
    // A batch is sent between flush_interval and flush_interval + tick after its first record.
    const tick = Math.max(10, Math.min(100, Math.floor(destination.limits.flushIntervalMs / 4)));
    this.#ticker = setInterval(() => this.#sealAged(Date.now()), tick);
    this.#ticker.unref();
  }

  /** Why the destination stopped for good, or undefined while it works. */
  get failure(): string | undefined {
    return this.#failed;
  }

  get bufferedRecords(): number {
    return this.#bufferedRecords;
  }

  get bufferedBytes(): number {
    return this.#bufferedBytes;
  }

  /** True while the buffer is at or over its bound: the caller should wait for whenNotFull(). */
  get full(): boolean {
    return this.#bufferedRecords >= this.#opts.maxBufferedRecords || this.#bufferedBytes >= this.#opts.maxBufferedBytes;
  }

  /**
   * Resolves once the buffer is under its bound (at once if it is). A caller waiting for room means the
   * buffer is full: see #relieve.
   */
  whenNotFull(): Promise<void> {
    if (!this.full || this.#failed) return Promise.resolve();
    this.#relieve();
    return new Promise((resolve) => this.#waiters.push(resolve));
  }

  /**
   * A full buffer whose bytes mostly sit in open batches would only idle the reader until they age out
   * (measured: 29% of the daemon's samples idle on a 200,000-entry backlog to CloudWatch). The largest open
   * batches are sealed and sent now, until at least half of what is buffered is on its way. Not all of them:
   * sealing every batch at each wait makes a stream of tiny requests (measured: a steady 10,000 entries/s
   * whose second of batches did not fit an 8 MiB buffer went to 105% of one core and 6.7 s of latency; with
   * this rule the same run took 64% and kept p99 at 1.7 s). Nor the batch of a key that has a request in
   * flight or queued: it could not go before that one, and sealing it at each wait would only queue it in
   * smaller pieces behind a slow destination; it ages out of flush_interval as before.
   */
  #relieve(): void {
    const open: Array<KeyState<E> & { open: Batch<E> }> = [];
    let openBytes = 0;
    for (const state of this.#keys.values()) {
      if (state.open) {
        openBytes += state.open.bytes;
        if (!state.busy && state.sealed.length === 0) open.push(state as KeyState<E> & { open: Batch<E> });
      }
    }
    let onTheWay = this.#bufferedBytes - openBytes;
    const goal = this.#bufferedBytes / 2;
    if (onTheWay >= goal) return;
    open.sort((a, b) => b.open.bytes - a.open.bytes);
    for (const state of open) {
      if (onTheWay >= goal) break;
      onTheWay += state.open.bytes;
      this.#seal(state);
    }
  }

  /** Takes a record into its key's batch. Records are accepted even when full: the bound is the caller's to respect. */
  push(record: LogRecord): void {
    if (this.#failed || this.#closed) return;
    const encoded = this.destination.encode(record);
    const key = this.destination.key(record);
    let state = this.#keys.get(key);
    if (!state) {
      state = { open: null, sealed: [], busy: false };
      this.#keys.set(key, state);
    }
    this.#bufferedRecords++;
    const ack: AckRef = record.joinedSeqs ? { seq: record.seq, joined: record.joinedSeqs } : record.seq;
    for (let i = 0; i < encoded.length; i++) {
      this.#append(state, key, encoded[i]!, i === encoded.length - 1 ? ack : null);
    }
    if (encoded.length === 0) {
      // Nothing to send (the adapter dropped it knowingly): done at once, in order behind the key's batches.
      this.#append(state, key, null, ack);
    }
  }

  #append(state: KeyState<E>, key: string, event: Encoded<E> | null, owner: AckRef | null): void {
    const limits = this.destination.limits;
    let batch = state.open;
    if (batch && event) {
      const span = Math.max(batch.maxTime, event.time) - Math.min(batch.minTime, event.time);
      if (
        batch.events.length + 1 > limits.maxEvents ||
        batch.bytes + event.size > limits.maxBytes ||
        (limits.maxSpanMs !== undefined && batch.events.length > 0 && span > limits.maxSpanMs)
      ) {
        this.#seal(state);
        batch = null;
      }
    }
    if (!batch) {
      batch = { key, events: [], owners: [], bytes: 0, records: 0, minTime: Infinity, maxTime: -Infinity, openedAt: Date.now(), attempt: 0 };
      state.open = batch;
    }
    if (event) {
      batch.events.push(event.data);
      batch.owners.push(owner);
      batch.bytes += event.size;
      this.#bufferedBytes += event.size;
      if (event.time < batch.minTime) batch.minTime = event.time;
      if (event.time > batch.maxTime) batch.maxTime = event.time;
    } else if (owner !== null) {
      // A record with no event rides on the batch's last event, or completes with the batch if it is empty.
      (batch.pendingEmpty ??= []).push(owner);
    }
    if (owner !== null) batch.records++;
  }

  #seal(state: KeyState<E>): void {
    const batch = state.open;
    if (!batch) return;
    state.open = null;
    state.sealed.push(batch);
    this.#schedule(state);
  }

  #sealAged(now: number): void {
    const maxAge = this.destination.limits.flushIntervalMs;
    for (const [key, state] of this.#keys) {
      if (state.open && now - state.open.openedAt >= maxAge) this.#seal(state);
      // Forget quiet keys so that memory follows the active streams, not every stream ever seen.
      else if (!state.open && !state.busy && state.sealed.length === 0) this.#keys.delete(key);
    }
  }

  #schedule(state: KeyState<E>): void {
    if (state.busy || this.#failed) return;
    const batch = state.sealed.shift();
    if (!batch) return;
    state.busy = true;
    void this.#queue.add(() => this.#attempt(state, batch));
  }

  async #attempt(state: KeyState<E>, batch: Batch<E>): Promise<void> {
    if (this.#failed) return;
    batch.attempt++;
    const controller = new AbortController();
    const timer = setTimeout(() => controller.abort(new Error(`request timed out after ${this.#opts.requestTimeoutMs} ms`)), this.#opts.requestTimeoutMs);
    this.#inflight.add(controller);
    const started = performance.now();
    let verdict: FailureAction | undefined;
    let rejected: Array<{ count: number; reason: string }> = [];
    try {
      if (batch.events.length > 0) {
        const result = await this.destination.send(batch.key, batch.events, controller.signal);
        rejected = result.rejected;
      }
    } catch (error) {
      verdict = controller.signal.aborted && !this.#closed
        ? { action: 'retry', reason: String((controller.signal.reason as Error | undefined)?.message ?? 'aborted') }
        : this.destination.classify(error);
    } finally {
      clearTimeout(timer);
      this.#inflight.delete(controller);
    }
    // Closed or abandoned meanwhile: whatever the answer, this runner acknowledges nothing more.
    if (this.#closed) return;
    const seconds = (performance.now() - started) / 1000;
    const counters = this.#opts.counters;
    if (!verdict) {
      counters?.requestSeconds(seconds, 'ok');
      let refused = 0;
      for (const r of rejected) {
        refused += r.count;
        counters?.rejected(r.reason, r.count);
        this.#opts.logger.warn({ destination: this.destination.id, key: batch.key, events: r.count, reason: r.reason }, 'destination refused events for good; they are counted and acknowledged');
      }
      counters?.sent(batch.events.length - refused, batch.bytes);
      this.#complete(state, batch);
      return;
    }
    counters?.requestSeconds(seconds, verdict.action);
    if (verdict.action === 'retry') {
      if (this.#closed) return;
      counters?.retried(verdict.reason);
      const delay = backoffDelay(batch.attempt, this.#opts.backoff, verdict.retryAfterMs);
      const log = batch.attempt === 1 || batch.attempt % 10 === 0 ? 'warn' : 'debug';
      this.#opts.logger[log]({ destination: this.destination.id, key: batch.key, events: batch.events.length, attempt: batch.attempt, retryInMs: delay, reason: verdict.reason }, 'send failed; retrying');
      const t = setTimeout(() => {
        this.#retryTimers.delete(t);
        if (!this.#failed && !this.#closed) void this.#queue.add(() => this.#attempt(state, batch));
      }, delay);
      this.#retryTimers.add(t);
      return;
    }
    if (verdict.action === 'reject') {
      counters?.rejected(verdict.reason, batch.events.length);
      this.#opts.logger.error({ destination: this.destination.id, key: batch.key, events: batch.events.length, reason: verdict.reason }, 'destination refused a batch for good; its records are counted as rejected and acknowledged');
      this.#complete(state, batch);
      return;
    }
    this.#fail(verdict.reason);
  }

  #complete(state: KeyState<E>, batch: Batch<E>): void {
    for (const owner of batch.owners) if (owner !== null) this.#done(owner);
    if (batch.pendingEmpty) for (const owner of batch.pendingEmpty) this.#done(owner);
    this.#bufferedBytes -= batch.bytes;
    state.busy = false;
    this.#schedule(state);
    this.#wake();
  }

  #done(ack: AckRef): void {
    this.#bufferedRecords--;
    if (typeof ack === 'number') this.#opts.onDone(ack, undefined);
    else this.#opts.onDone(ack.seq, ack.joined);
  }

  #wake(): void {
    if (!this.full && this.#waiters.length > 0) {
      const waiters = this.#waiters;
      this.#waiters = [];
      for (const w of waiters) w();
    }
    if (this.#idle() && this.#idleWaiters.length > 0) {
      const waiters = this.#idleWaiters;
      this.#idleWaiters = [];
      for (const w of waiters) w();
    }
  }

  #idle(): boolean {
    if (this.#failed) return true;
    for (const s of this.#keys.values()) if (s.open || s.busy || s.sealed.length > 0) return false;
    return true;
  }

  #fail(reason: string): void {
    if (this.#failed) return;
    this.#failed = reason;
    this.#opts.logger.error({ destination: this.destination.id, reason }, 'destination failed and stopped; the others keep shipping; its checkpoint stays at the last acknowledged entry');
    for (const c of this.#inflight) c.abort(new Error('destination failed'));
    for (const t of this.#retryTimers) clearTimeout(t);
    this.#retryTimers.clear();
    this.#keys.clear();
    this.#bufferedRecords = 0;
    this.#bufferedBytes = 0;
    this.#queue.clear();
    this.#opts.onFatal?.(reason);
    this.#wake();
  }

  /** Sends every open batch now and resolves when all are done, or when `deadlineMs` passes (false). */
  async flush(deadlineMs = Infinity): Promise<boolean> {
    for (const state of this.#keys.values()) this.#seal(state);
    if (this.#idle()) return true;
    const idle = new Promise<boolean>((resolve) => this.#idleWaiters.push(() => resolve(true)));
    if (!Number.isFinite(deadlineMs)) return idle;
    let timer: NodeJS.Timeout | undefined;
    const late = new Promise<boolean>((resolve) => (timer = setTimeout(() => resolve(false), deadlineMs)));
    const result = await Promise.race([idle, late]);
    clearTimeout(timer);
    return result;
  }

  /**
   * Gives up everything buffered and in flight without closing the destination (it lives on in a new
   * runner): nothing more is acknowledged, the memory is freed at once.
   */
  async abandon(): Promise<void> {
    this.#stop();
    this.#keys.clear();
    this.#bufferedRecords = 0;
    this.#bufferedBytes = 0;
  }

  #stop(): boolean {
    if (this.#closed) return false;
    this.#closed = true;
    clearInterval(this.#ticker);
    for (const t of this.#retryTimers) clearTimeout(t);
    this.#retryTimers.clear();
    for (const c of this.#inflight) c.abort(new Error('shutting down'));
    this.#queue.clear();
    for (const w of this.#waiters) w();
    this.#waiters = [];
    for (const w of this.#idleWaiters) w();
    this.#idleWaiters = [];
    return true;
  }

  /** Stops at once: in-flight requests are aborted, nothing more is acknowledged. */
  async close(): Promise<void> {
    if (!this.#stop()) return;
    await this.destination.close();
  }
}
