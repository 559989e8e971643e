// NativeJournalReader: reads the journal through libsystemd's sd_journal in a worker thread and hands on its
// entries in batches, with the journalctl reader's guarantees (backpressure, restarts, lost-cursor report).
import { setTimeout as sleep } from 'node:timers/promises';
import { MessageChannel, Worker, type MessagePort } from 'node:worker_threads';
import { JournalError } from '../model/errors.ts';
import type { JournalEntry } from '../model/journal-entry.ts';
import type { Logger } from '../selflog/logger.ts';
import { awaitJournalFiles } from './journal-presence.ts';
import { ChunkDecoder, type NativeChunk } from './native-chunk.ts';
import { describeSource } from './native-session.ts';
import { CONTROL_OUTSTANDING, CONTROL_SLOTS, CONTROL_STOP, reusable, type BufferReturn, type NativeWorkerData, type NativeWorkerMessage } from './native-worker.ts';
import { reportLostCursor, type JournalEntryReader, type LostRange, type ReaderCounters, type ReaderOptions } from './reader.ts';
import { ReadPosition, readerSettings, RestartBackoff, type ReaderSettings } from './reader-state.ts';

/** The worker's entry: its compiled copy next to this file's, or its TypeScript source when running from src/. */
const WORKER_URL = new URL(import.meta.url.endsWith('.ts') ? './native-worker.ts' : './native-worker.js', import.meta.url);
/**
 * The worker holds little on its heap (entry bytes are in native memory, then in transferred buffers);
 * small limits keep its share of the daemon's memory small.
 */
const WORKER_LIMITS = { maxOldGenerationSizeMb: 48, maxYoungGenerationSizeMb: 4 };
/** A worker that does not end this long after being asked to (it looks between waits of 200 ms) is terminated. */
const STOP_GRACE_MS = 5000;
/**
 * Entries handed on at a time, decoded from the queued chunks only then. The worker reads up to
 * highWaterEntries ahead, but what waits is its chunks' bytes (about 1.1 KB an entry of the bench's, outside
 * the heap), not decoded entries (their fields objects and latin1 strings, about twice that on the heap); and
 * the pipeline pushes a hand-on through the normalizer and the destinations before it takes the next, so the
 * entries of a small one die in V8's young generation instead of being promoted with a run of 8,192.
 */
const HAND_ON_ENTRIES = 1024;
/**
 * Entries the worker reads ahead of the main thread unless the options say otherwise (the journalctl reader's
 * HIGH_WATER_ENTRIES is 8,192): two hand-ons. What waits is chunk buffers (about 208 KiB of them a chunk of
 * about 120 entries: bytes, cursors, layout), malloc'd in the worker's glibc arena. Measured on a 300,000-entry
 * backlog to CloudWatch (docs/performance.md, 2026-12-05, sixth round), alternating with 8,192: the daemon's
 * anonymous peak 1-19 MB lower in four pairs (thread arenas 15-18 MB against 24-25), same CPU and requests;
 * 4,096 read 11 MB lower and 2 MB higher in two pairs. Not lower still: two hand-ons keep the worker reading
 * while the main thread pushes one through the pipeline.
 */
export const NATIVE_READ_AHEAD_ENTRIES = 2048;
/** Errors that a restart cannot fix: the daemon stops with the message instead of retrying for ever. */
const PERMANENT_ERRORS = new Set(['ERR_NATIVE_MATCH']);

type Outcome = { kind: 'end' } | { kind: 'stopped' } | { kind: 'failed'; error: Error };

/** One worker: started at a position, read until it ends, fails or is stopped. */
class WorkerRun {
  readonly worker: Worker;
  readonly control: Int32Array;
  readonly exited: Promise<void>;
  readonly #returns: MessagePort;

  constructor(data: Omit<NativeWorkerData, 'control' | 'returns'>) {
    const control = new SharedArrayBuffer(CONTROL_SLOTS * Int32Array.BYTES_PER_ELEMENT);
    this.control = new Int32Array(control);
    const { port1, port2 } = new MessageChannel();
    this.#returns = port1;
    this.worker = new Worker(WORKER_URL, { workerData: { ...data, control, returns: port2 } satisfies NativeWorkerData, transferList: [port2], execArgv: [], resourceLimits: WORKER_LIMITS });
    this.exited = new Promise((resolve) => this.worker.once('exit', () => resolve()));
    void this.exited.then(() => this.#returns.close());
  }

  /** Gives the buffers of decoded chunks back to the worker, which reads the next chunks into them. */
  giveBack(chunks: readonly NativeChunk[]): void {
    const buffers: ArrayBuffer[] = [];
    for (const c of chunks) {
      if (reusable(c.bytes.buffer)) buffers.push(c.bytes.buffer);
      if (reusable(c.cursors.buffer)) buffers.push(c.cursors.buffer);
      if (reusable(c.layout.buffer)) buffers.push(c.layout.buffer);
    }
    if (buffers.length > 0) this.#returns.postMessage({ buffers } satisfies BufferReturn, buffers);
  }

  /** The main thread handed on `n` entries: the worker may read that many more. */
  taken(n: number): void {
    Atomics.sub(this.control, CONTROL_OUTSTANDING, n);
    Atomics.notify(this.control, CONTROL_OUTSTANDING);
  }

  stop(): void {
    Atomics.store(this.control, CONTROL_STOP, 1);
    Atomics.notify(this.control, CONTROL_OUTSTANDING);
  }

  /** Asks the worker to end and waits for it (it closes the journal itself). */
  async end(): Promise<void> {
    this.stop();
    const timer = setTimeout(() => void this.worker.terminate(), STOP_GRACE_MS);
    await this.exited;
    clearTimeout(timer);
  }
}

export class NativeJournalReader implements JournalEntryReader {
  readonly #opts: ReaderSettings;
  readonly #logger: Logger;
  readonly #counters: ReaderCounters | undefined;
  readonly #abort = new AbortController();
  readonly #position: ReadPosition;
  #stopped = false;
  #run: WorkerRun | undefined;
  #wake: (() => void) | undefined;
  lost: LostRange | undefined;

  constructor(options: ReaderOptions, logger: Logger, counters?: ReaderCounters) {
    this.#opts = readerSettings({ ...options, highWaterEntries: options.highWaterEntries ?? NATIVE_READ_AHEAD_ENTRIES });
    this.#position = new ReadPosition(this.#opts);
    this.#logger = logger;
    this.#counters = counters;
  }

  get lastCursor(): string | undefined {
    return this.#position.lastCursor;
  }

  stop(): void {
    this.#stopped = true;
    this.#abort.abort();
    this.#run?.stop();
    this.#wake?.();
  }

  async *batches(): AsyncGenerator<JournalEntry[]> {
    const source = { namespace: this.#opts.namespace, directory: this.#opts.directory, matches: this.#opts.matches };
    if (!(await awaitJournalFiles(source, this.#opts.follow, this.#logger, this.#abort.signal))) return;
    const position = this.#position;
    // From the tail without following, there is nothing to read.
    if (position.from.kind === 'tail' && !this.#opts.follow) return;
    const backoff = new RestartBackoff(this.#opts);
    let checkCursor = this.#opts.checkCursor;
    while (!this.#stopped) {
      const startedAt = Date.now();
      const run = new WorkerRun({ source, from: position.from, follow: this.#opts.follow, checkCursor, highWaterEntries: this.#opts.highWaterEntries, releaseMappedBytes: this.#opts.releaseMappedBytes });
      this.#run = run;
      let outcome: Outcome;
      try {
        outcome = yield* this.#consume(run);
      } finally {
        await run.end();
        this.#run = undefined;
      }
      position.resume();
      if (this.#stopped || outcome.kind !== 'failed') return;
      const error = outcome.error as Error & { code?: string };
      if (PERMANENT_ERRORS.has(error.code ?? '')) throw error;
      // A restart starts at a cursor just read; it is checked again all the same (the journal may have been
      // vacuumed meanwhile), which costs one seek.
      checkCursor = true;
      const delay = backoff.failed(startedAt);
      this.#counters?.journalctlRestarts();
      this.#logger.error(
        { reader: 'native', source: describeSource(source), code: error.code, reason: error.message, restartInMs: delay, resumeAfter: position.lastCursor ?? position.from.kind },
        'native journal reader failed; restarting it after the last entry handed on',
      );
      try {
        await sleep(delay, undefined, { signal: this.#abort.signal });
      } catch {
        return;
      }
    }
  }

  async *#consume(run: WorkerRun): AsyncGenerator<JournalEntry[], Outcome> {
    const decoder = new ChunkDecoder(this.#position.nextSeq, this.#opts.fields);
    // Chunks as the worker posted them, decoded when handed on (HAND_ON_ENTRIES).
    let chunks: NativeChunk[] = [];
    let outcome: Outcome | undefined;
    const notify = () => {
      const w = this.#wake;
      this.#wake = undefined;
      w?.();
    };
    run.worker.on('message', (message: NativeWorkerMessage) => {
      if (outcome?.kind === 'failed') return;
      switch (message.type) {
        case 'chunk':
          chunks.push(message.chunk);
          break;
        case 'lost':
          this.lost = message.lost;
          this.#position.restartAtHead();
          reportLostCursor(this.#logger, message.lost);
          break;
        case 'skipped':
          this.#logger.warn({ cursor: message.skipped.cursor, reason: message.skipped.reason }, 'skipped a journal entry libsystemd cannot read (a damaged journal file; journalctl skips it too)');
          break;
        case 'end':
          outcome ??= { kind: 'end' };
          break;
        case 'error':
          outcome ??= { kind: 'failed', error: new JournalError(message.code, message.message) };
          break;
      }
      notify();
    });
    run.worker.on('error', (error) => {
      outcome ??= { kind: 'failed', error };
      notify();
    });
    run.worker.on('exit', (code) => {
      outcome ??= this.#stopped ? { kind: 'stopped' } : { kind: 'failed', error: new JournalError('ERR_NATIVE_WORKER', `the native reader's worker thread exited (code ${code}) without a word`) };
      notify();
    });
    while (true) {
      if (chunks.length > 0 && !this.#stopped) {
        const batch: JournalEntry[] = [];
        let taken = 0;
        try {
          while (taken < chunks.length && batch.length < HAND_ON_ENTRIES) decoder.decode(chunks[taken++]!, batch);
          // Decoded values are copies (strings, or bytes copied by decodeFieldValue): the buffers may go back.
          run.giveBack(taken === chunks.length ? chunks : chunks.slice(0, taken));
          chunks = taken === chunks.length ? [] : chunks.slice(taken);
        } catch (error) {
          // The entries of the chunk before the one it could not decode are handed on; a restart reads on
          // after them (and meets the same entry again, as the journalctl reader would).
          outcome = { kind: 'failed', error: error as Error };
          chunks = [];
        }
        if (batch.length === 0) continue;
        this.#position.handedOn(batch);
        this.#counters?.entriesRead(batch.length);
        run.taken(batch.length);
        yield batch;
        continue;
      }
      if (this.#stopped) return { kind: 'stopped' };
      if (outcome) return outcome;
      await new Promise<void>((resolve) => (this.#wake = resolve));
    }
  }
}
