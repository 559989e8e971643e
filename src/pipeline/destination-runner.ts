// Batches, sends, retries and acknowledges records for one destination: written once for every adapter.
import PQueue from 'p-queue';
import type { LogRecord } from '../model/log-record.ts';
import type { Logger } from '../selflog/logger.ts';
import { backoffDelay, DEFAULT_BACKOFF, type BackoffOptions } from './backoff.ts';
import { BufferBudget, type BudgetMember } from './buffer-budget.ts';
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
  /**
   * The memory budget this destination shares with the others (pipeline.buffer_records / buffer_bytes).
   * Without one, the runner has a budget of its own of maxBufferedRecords and maxBufferedBytes.
   */
  budget?: BufferBudget;
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

interface Batch {
  key: string;
  /** The events: an array, or as the destination's BatchStore keeps them. */
  events: unknown;
  count: number;
  /** owners[i] acknowledges the record whose last event is event i, else null. */
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

interface KeyState {
  open: Batch | null;
  sealed: Batch[];
  busy: boolean;
  /** The open batch goes at the key's turn (#sendAtTurn): it takes records until then. */
  due: boolean;
}

type RunnerDestinationStore<E> = { create(): unknown; add(batch: unknown, event: Encoded<E>): void; release?(batch: unknown): void };

/** The default: a batch is an array of the events' data. */
const ARRAY_STORE: RunnerDestinationStore<unknown> = {
  create: () => [],
  add: (batch, event) => (batch as unknown[]).push(event.data),
};

export const DEFAULT_MAX_BUFFERED_RECORDS = 20_000;
/**
 * Enough for a second of batches (CloudWatch's flush_interval) at 10,000 entries/s of about 1 KB each: a
 * buffer smaller than rate x flush_interval is full in a steady state and sends early, in small requests.
 */
export const DEFAULT_MAX_BUFFERED_BYTES = 16 * 1024 * 1024;
export const DEFAULT_REQUEST_TIMEOUT_MS = 30_000;
/**
 * How long a batch may stay open while a backlog is read. Its records are old already: flush_interval's
 * latency does not apply to them, and batches left to grow make fewer, larger requests (measured: a
 * 200,000-entry backlog to CloudWatch over 200 streams, read at about 15,000 entries/s, made 2,458 requests
 * with batches sealed after 1 s, each stream's batch then holding about 75 records, and 1,397 when they were
 * held). Not longer: the checkpoint cannot pass an open batch, so this bounds what a crash sends again.
 */
export const BACKLOG_MAX_AGE_MS = 10_000;

export class DestinationRunner<E = unknown> {
  readonly destination: Destination<E>;
  readonly #store: RunnerDestinationStore<E>;
  readonly #opts: Required<Omit<RunnerOptions, 'counters' | 'onFatal' | 'budget'>> & Pick<RunnerOptions, 'counters' | 'onFatal'>;
  readonly #budget: BufferBudget;
  readonly #member: BudgetMember;
  readonly #keys = new Map<string, KeyState>();
  readonly #queue: PQueue;
  readonly #inflight = new Set<AbortController>();
  /** Batches whose request is out now. */
  readonly #sending = new Set<Batch>();
  readonly #retryTimers = new Set<NodeJS.Timeout>();
  #bufferedRecords = 0;
  #bufferedBytes = 0;
  #waiters: Array<() => void> = [];
  #idleWaiters: Array<() => void> = [];
  #holdingWaiters: Array<{ records: number; bytes: number; resolve: () => void }> = [];
  #ticker: NodeJS.Timeout | undefined;
  #failed: string | undefined;
  #closed = false;
  /** Set by retire(): resolves it once the last request out has answered. */
  #retired: (() => void) | undefined;

  constructor(destination: Destination<E>, options: RunnerOptions) {
    this.destination = destination;
    this.#store = (destination.batches as RunnerDestinationStore<E> | undefined) ?? ARRAY_STORE;
    this.#opts = {
      maxBufferedRecords: DEFAULT_MAX_BUFFERED_RECORDS,
      maxBufferedBytes: DEFAULT_MAX_BUFFERED_BYTES,
      requestTimeoutMs: DEFAULT_REQUEST_TIMEOUT_MS,
      backoff: DEFAULT_BACKOFF,
      ...options,
    };
    this.#budget = options.budget ?? new BufferBudget(this.#opts.maxBufferedRecords, this.#opts.maxBufferedBytes);
    this.#member = {
      heldRecords: 0,
      heldBytes: 0,
      roomMade: () => this.#wake(),
    };
    Object.defineProperties(this.#member, {
      heldRecords: { get: () => this.#bufferedRecords },
      heldBytes: { get: () => this.#bufferedBytes },
    });
    this.#budget.join(this.#member);
    this.#queue = new PQueue({ concurrency: destination.limits.concurrency });
    // A batch is sent between flush_interval and flush_interval + tick after its first record.
    const tick = Math.max(10, Math.min(100, Math.floor(destination.limits.flushIntervalMs / 4)));
    this.#ticker = setInterval(() => this.#sealAged(Date.now()), tick);
    this.#ticker.unref();
  }

  /**
   * Set by the pipeline while its reader reads a backlog (entries well behind the clock, still coming in):
   * open batches are then sealed by size, by the memory budget or after BACKLOG_MAX_AGE_MS, not after
   * flush_interval.
   */
  backlog = false;

  /** Keys (streams) with records held: open, waiting for their turn, or in a request out. */
  get activeKeys(): number {
    let n = 0;
    for (const state of this.#keys.values()) if (state.open || state.busy || state.sealed.length > 0) n++;
    return n;
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

  /** True while this destination must not take more (see BufferBudget): the caller should wait for whenNotFull(). */
  get full(): boolean {
    return this.#budget.isFull(this.#member);
  }

  /** Takes (positive) or gives back (negative) records and bytes, here and in the shared budget. */
  #hold(records: number, bytes: number): void {
    this.#bufferedRecords += records;
    this.#bufferedBytes += bytes;
    this.#budget.change(this.#member, records, bytes);
  }

  /** Gives back everything held and leaves the budget: the runner holds nothing more. */
  #releaseAll(): void {
    this.#hold(-this.#bufferedRecords, -this.#bufferedBytes);
    this.#budget.leave(this.#member);
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
    const open: Array<KeyState & { open: Batch }> = [];
    let openBytes = 0;
    for (const state of this.#keys.values()) {
      if (state.open && !state.due) {
        openBytes += state.open.bytes;
        if (!state.busy && state.sealed.length === 0) open.push(state as KeyState & { open: Batch });
      }
    }
    let onTheWay = this.#bufferedBytes - openBytes;
    const goal = this.#bufferedBytes / 2;
    if (onTheWay >= goal) return;
    open.sort((a, b) => b.open.bytes - a.open.bytes);
    for (const state of open) {
      if (onTheWay >= goal) break;
      onTheWay += state.open.bytes;
      this.#sendAtTurn(state);
    }
  }

  /**
   * Resolves once this runner holds fewer than `records` records and `bytes` bytes, whatever the shared
   * budget says (a detached destination's catch-up bounds itself: see catch-up.ts). Waiting means it holds
   * that much: open batches are sealed as for whenNotFull (#relieve). Aborting `signal` ends the wait and
   * forgets it: a waiter left queued would have every answer seal more open batches (#complete) for nobody.
   */
  whenHoldingBelow(records: number, bytes: number, signal?: AbortSignal): Promise<void> {
    if (signal?.aborted || this.#failed || this.#closed || (this.#bufferedRecords < records && this.#bufferedBytes < bytes)) return Promise.resolve();
    this.#relieve();
    return new Promise((resolve) => {
      const onAbort = (): void => {
        this.#holdingWaiters = this.#holdingWaiters.filter((w) => w !== waiter);
        resolve();
      };
      const waiter = {
        records,
        bytes,
        resolve: () => {
          signal?.removeEventListener('abort', onAbort);
          resolve();
        },
      };
      signal?.addEventListener('abort', onAbort, { once: true });
      this.#holdingWaiters.push(waiter);
    });
  }

  /** Takes a record into its key's batch. Records are accepted even when full: the bound is the caller's to respect. */
  push(record: LogRecord): void {
    if (this.#failed || this.#closed) return;
    const encoded = this.destination.encode(record);
    const key = this.destination.key(record);
    let state = this.#keys.get(key);
    if (!state) {
      state = { open: null, sealed: [], busy: false, due: false };
      this.#keys.set(key, state);
    }
    this.#hold(1, 0);
    const ack: AckRef = record.joinedSeqs ? { seq: record.seq, joined: record.joinedSeqs } : record.seq;
    for (let i = 0; i < encoded.length; i++) {
      this.#append(state, key, encoded[i]!, i === encoded.length - 1 ? ack : null);
    }
    if (encoded.length === 0) {
      // Nothing to send (the adapter dropped it knowingly): done at once, in order behind the key's batches.
      this.#append(state, key, null, ack);
    }
  }

  #append(state: KeyState, key: string, event: Encoded<E> | null, owner: AckRef | null): void {
    const limits = this.destination.limits;
    let batch = state.open;
    if (batch && event) {
      const span = Math.max(batch.maxTime, event.time) - Math.min(batch.minTime, event.time);
      if (
        batch.count + 1 > limits.maxEvents ||
        batch.bytes + event.size > limits.maxBytes ||
        (limits.maxSpanMs !== undefined && batch.count > 0 && span > limits.maxSpanMs)
      ) {
        this.#seal(state);
        batch = null;
      }
    }
    if (!batch) {
      batch = { key, events: this.#store.create(), count: 0, owners: [], bytes: 0, records: 0, minTime: Infinity, maxTime: -Infinity, openedAt: Date.now(), attempt: 0 };
      state.open = batch;
    }
    if (event) {
      this.#store.add(batch.events, event);
      batch.count++;
      batch.owners.push(owner);
      batch.bytes += event.size;
      this.#hold(0, event.size);
      if (event.time < batch.minTime) batch.minTime = event.time;
      if (event.time > batch.maxTime) batch.maxTime = event.time;
    } else if (owner !== null) {
      // A record with no event rides on the batch's last event, or completes with the batch if it is empty.
      (batch.pendingEmpty ??= []).push(owner);
    }
    if (owner !== null) batch.records++;
  }

  #seal(state: KeyState): void {
    const batch = state.open;
    if (!batch) return;
    state.open = null;
    state.sealed.push(batch);
    this.#schedule(state);
  }

  /** How long a batch stays open (see backlog). */
  #maxAge(): number {
    const flushInterval = this.destination.limits.flushIntervalMs;
    return this.backlog ? Math.max(flushInterval, BACKLOG_MAX_AGE_MS) : flushInterval;
  }

  /**
   * Seals the batches that are old enough, except those of a key with a request out or queued: such a batch
   * could not go before it, and grows until it can (#complete seals it then). Sealed by age behind a slow
   * destination, batches were as small as what each answer made room for, and stayed that small (measured:
   * a catch-up of 5,000 entries to a CloudWatch answering in 2 s, buffer_records 1,000, took its buffer in
   * pieces of a few records, and was not done in 240 s).
   */
  #sealAged(now: number): void {
    const maxAge = this.#maxAge();
    for (const [key, state] of this.#keys) {
      if (state.open && now - state.open.openedAt >= maxAge) {
        if (!state.busy && state.sealed.length === 0) this.#sendAtTurn(state);
      }
      // Forget quiet keys so that memory follows the active streams, not every stream ever seen.
      else if (!state.open && !state.busy && state.sealed.length === 0) this.#keys.delete(key);
    }
  }

  /**
   * The open batch of an idle key is to go (aged, or the budget needs the room): it is sealed when a request is
   * free for it, not now, and records that come while it waits for its turn go with it. Sealed at once, a
   * batch waiting behind `concurrency` requests left the records that came meanwhile for the key's next turn:
   * a catch-up to a CloudWatch answering in 2 s over 20 streams (concurrency 8) had 28% of what it held in
   * flight, the rest open or waiting; sealed at their turn, 46% (docs/performance.md). With a request free
   * it is sealed and sent at once, as before.
   */
  #sendAtTurn(state: KeyState): void {
    if (state.busy || this.#failed || this.#closed || !state.open) return;
    state.busy = true;
    state.due = true;
    void this.#queue.add(() => {
      state.due = false;
      if (state.sealed.length === 0 && state.open) {
        state.sealed.push(state.open);
        state.open = null;
      }
      const batch = state.sealed.shift();
      if (!batch) {
        state.busy = false;
        return;
      }
      return this.#attempt(state, batch);
    });
  }

  #schedule(state: KeyState): void {
    if (state.busy || this.#failed || this.#closed) return;
    const batch = state.sealed.shift();
    if (!batch) return;
    state.busy = true;
    void this.#queue.add(() => this.#attempt(state, batch));
  }

  async #attempt(state: KeyState, batch: Batch): Promise<void> {
    if (this.#failed || this.#closed) return;
    batch.attempt++;
    this.#sending.add(batch);
    const controller = new AbortController();
    const timer = setTimeout(() => controller.abort(new Error(`request timed out after ${this.#opts.requestTimeoutMs} ms`)), this.#opts.requestTimeoutMs);
    this.#inflight.add(controller);
    const started = performance.now();
    let verdict: FailureAction | undefined;
    let rejected: Array<{ count: number; reason: string }> = [];
    try {
      if (batch.count > 0) {
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
      this.#sending.delete(batch);
    }
    if (this.#retired) {
      // Retiring (see retire()): an accepted batch is acknowledged, nothing is tried again.
      if (!verdict || verdict.action === 'reject') for (const owner of this.#owners(batch)) this.#done(owner);
      this.#hold(-batch.records, -batch.bytes);
      if (this.#sending.size === 0) this.#retireDone();
      return;
    }
    // Closed meanwhile: whatever the answer, this runner acknowledges nothing more.
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
      counters?.sent(batch.count - refused, batch.bytes);
      this.#complete(state, batch);
      return;
    }
    counters?.requestSeconds(seconds, verdict.action);
    if (verdict.action === 'retry') {
      if (this.#closed) return;
      counters?.retried(verdict.reason);
      const delay = backoffDelay(batch.attempt, this.#opts.backoff, verdict.retryAfterMs);
      const log = batch.attempt === 1 || batch.attempt % 10 === 0 ? 'warn' : 'debug';
      this.#opts.logger[log]({ destination: this.destination.id, key: batch.key, events: batch.count, attempt: batch.attempt, retryInMs: delay, reason: verdict.reason }, 'send failed; retrying');
      const t = setTimeout(() => {
        this.#retryTimers.delete(t);
        if (!this.#failed && !this.#closed) void this.#queue.add(() => this.#attempt(state, batch));
      }, delay);
      this.#retryTimers.add(t);
      return;
    }
    if (verdict.action === 'reject') {
      counters?.rejected(verdict.reason, batch.count);
      this.#opts.logger.error({ destination: this.destination.id, key: batch.key, events: batch.count, reason: verdict.reason }, 'destination refused a batch for good; its records are counted as rejected and acknowledged');
      this.#complete(state, batch);
      return;
    }
    this.#fail(verdict.reason);
  }

  *#owners(batch: Batch): Generator<AckRef> {
    for (const owner of batch.owners) if (owner !== null) yield owner;
    if (batch.pendingEmpty) yield* batch.pendingEmpty;
  }

  #complete(state: KeyState, batch: Batch): void {
    this.#store.release?.(batch.events);
    for (const owner of this.#owners(batch)) this.#done(owner);
    this.#hold(-batch.records, -batch.bytes);
    state.busy = false;
    if (state.sealed.length === 0 && state.open && Date.now() - state.open.openedAt >= this.#maxAge()) this.#sendAtTurn(state);
    else this.#schedule(state);
    // Still full with a caller waiting: what sat behind busy keys may be sealed now.
    if ((this.#waiters.length > 0 && this.full) || this.#holdingWaiters.length > 0) this.#relieve();
    this.#wake();
  }

  #done(ack: AckRef): void {
    if (typeof ack === 'number') this.#opts.onDone(ack, undefined);
    else this.#opts.onDone(ack.seq, ack.joined);
  }

  #wake(): void {
    if (this.#holdingWaiters.length > 0) {
      const stopped = this.#failed !== undefined || this.#closed;
      const ready = this.#holdingWaiters.filter((w) => stopped || (this.#bufferedRecords < w.records && this.#bufferedBytes < w.bytes));
      if (ready.length > 0) {
        this.#holdingWaiters = this.#holdingWaiters.filter((w) => !ready.includes(w));
        for (const w of ready) w.resolve();
      }
    }
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
    this.#releaseAll();
    this.#queue.clear();
    this.#opts.onFatal?.(reason);
    this.#wake();
  }

  /** Seals every open batch: each goes as soon as its key's earlier batches are done. */
  sendOpen(): void {
    for (const state of this.#keys.values()) this.#seal(state);
  }

  /** Sends every open batch now and resolves when all are done, or when `deadlineMs` passes (false). */
  async flush(deadlineMs = Infinity): Promise<boolean> {
    this.sendOpen();
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
   * Gives up everything buffered without closing the destination (it lives on in a new runner): nothing more
   * is sent and the memory of what was not sent is freed at once. Requests already out are not aborted: the
   * destination may well have taken them, and their answers say what it accepted (onDone, as before), so
   * that what is read again is not sent again. Resolves once they have answered (each within the request
   * timeout); nothing is acknowledged after that.
   */
  retire(): Promise<void> {
    if (this.#closed) return Promise.resolve();
    const done = new Promise<void>((resolve) => (this.#retired = resolve));
    let records = 0;
    let bytes = 0;
    for (const batch of this.#sending) {
      records += batch.records;
      bytes += batch.bytes;
    }
    this.#stop({ abortRequests: false });
    this.#keys.clear();
    this.#hold(records - this.#bufferedRecords, bytes - this.#bufferedBytes);
    if (this.#sending.size === 0) this.#retireDone();
    return done;
  }

  #retireDone(): void {
    this.#releaseAll();
    const resolve = this.#retired;
    this.#retired = () => {};
    resolve?.();
  }

  #stop(options: { abortRequests: boolean } = { abortRequests: true }): boolean {
    if (this.#closed) return false;
    this.#closed = true;
    clearInterval(this.#ticker);
    for (const t of this.#retryTimers) clearTimeout(t);
    this.#retryTimers.clear();
    if (options.abortRequests) for (const c of this.#inflight) c.abort(new Error('shutting down'));
    this.#queue.clear();
    for (const w of this.#waiters) w();
    this.#waiters = [];
    for (const w of this.#idleWaiters) w();
    this.#idleWaiters = [];
    for (const w of this.#holdingWaiters) w.resolve();
    this.#holdingWaiters = [];
    return true;
  }

  /** Stops at once: in-flight requests are aborted, nothing more is acknowledged. */
  async close(): Promise<void> {
    if (!this.#stop()) {
      // Closed before, unless it was retiring: then it still owns the destination, and its requests out end now.
      if (!this.#retired || this.#sending.size === 0) return;
      for (const c of this.#inflight) c.abort(new Error('shutting down'));
    }
    await this.destination.close();
  }
}
