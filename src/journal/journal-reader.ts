// Runs journalctl and hands on its entries in batches, with backpressure, restarts and cursor checks.
import { spawn, type ChildProcessByStdio } from 'node:child_process';
import type { Readable } from 'node:stream';
import { setTimeout as sleep } from 'node:timers/promises';
import { JournalError } from '../model/errors.ts';
import type { JournalEntry } from '../model/journal-entry.ts';
import type { Logger } from '../selflog/logger.ts';
import { ExportParser } from './export-parser.ts';
import { cursorRealtimeUs, drainArgs, followArgs, probeCursorArgs, sameEntry, type JournalSource, type ReadFrom } from './journalctl-args.ts';

export interface ReaderOptions extends JournalSource {
  /** Where to start: after a checkpoint cursor, or at the head or tail when there is none. */
  from: ReadFrom;
  /** Keep waiting for new entries at the end (daemon), or stop at the end (catch-up, tests). */
  follow: boolean;
  /** Seq of the first entry handed on (seqs continue across journalctl restarts). */
  firstSeq?: number;
  /** journalctl's pipe is paused while this many entries wait for the consumer. */
  highWaterEntries?: number;
  /** Check at start that the starting cursor is still in the journal (off when it was just read). */
  checkCursor?: boolean;
  /** Restart delays after journalctl exits or dies. */
  restartInitialMs?: number;
  restartMaxMs?: number;
}

/** Counters the reader reports; the metrics module implements them. */
export interface ReaderCounters {
  entriesRead(n: number): void;
  journalctlRestarts(): void;
}

type Child = ChildProcessByStdio<null, Readable, Readable>;

/**
 * Entries read ahead before journalctl's pipe is paused. 2,048 measured about 12 MB less RSS at the peak of a
 * 200,000-entry backlog to CloudWatch, but a catch-up reader hands on batches of this size, and with a small
 * buffer against a slow destination smaller batches made catching up far slower (soak test: 50,000 entries,
 * 2 s per answer, buffer_records 1,000: 81 s at 8,192, not done in 240 s at 2,048).
 */
const HIGH_WATER_ENTRIES = 8192;

/** A cursor lost from the journal: what the reader reports before resuming at the oldest entry. */
export interface LostRange {
  cursor: string;
  fromUs: number | undefined;
  toUs: number | undefined;
}

export class JournalReader {
  readonly #opts: Required<Omit<ReaderOptions, 'from'>> & { from: ReadFrom };
  readonly #logger: Logger;
  readonly #counters: ReaderCounters | undefined;
  #from: ReadFrom;
  #nextSeq: number;
  #child: Child | undefined;
  #stopped = false;
  #lastCursor: string | undefined;
  /** Set when the starting cursor was not in the journal any more. */
  lost: LostRange | undefined;

  constructor(options: ReaderOptions, logger: Logger, counters?: ReaderCounters) {
    this.#opts = { firstSeq: 1, checkCursor: true, highWaterEntries: HIGH_WATER_ENTRIES, restartInitialMs: 250, restartMaxMs: 30_000, ...options };
    this.#from = options.from;
    this.#nextSeq = this.#opts.firstSeq;
    this.#logger = logger;
    this.#counters = counters;
    if (options.from.kind === 'after') this.#lastCursor = options.from.cursor;
  }

  /** Cursor of the last entry handed on (or the starting cursor). */
  get lastCursor(): string | undefined {
    return this.#lastCursor;
  }

  /** Stops reading: the batches() loop ends after the batch in hand. */
  stop(): void {
    this.#stopped = true;
    this.#child?.kill('SIGTERM');
  }

  /**
   * Entries in batches, in journal order, each exactly once across journalctl restarts. Drains the backlog
   * without --follow first (see journalctl-args.ts), then follows when asked to.
   */
  async *batches(): AsyncGenerator<JournalEntry[]> {
    if (this.#opts.checkCursor && (this.#from.kind === 'after' || this.#from.kind === 'at')) await this.#checkCursor(this.#from.cursor);
    // From the tail without following, there is nothing to read.
    if (this.#from.kind === 'tail' && !this.#opts.follow) return;
    let failures = 0;
    let drained = this.#from.kind === 'tail';
    while (!this.#stopped) {
      const follow = drained && this.#opts.follow;
      const args = follow ? followArgs(this.#opts, this.#from) : drainArgs(this.#opts, this.#from);
      const startedAt = Date.now();
      let exit: { code: number | null; signal: NodeJS.Signals | null; stderr: string; error?: Error };
      try {
        exit = yield* this.#runOnce(args);
      } finally {
        this.#child?.kill('SIGTERM');
      }
      if (this.#lastCursor) this.#from = { kind: 'after', cursor: this.#lastCursor };
      if (this.#stopped) return;
      if (exit.code === 0 && !follow) {
        drained = true;
        failures = 0;
        if (!this.#opts.follow) return;
        continue;
      }
      // journalctl --follow never exits by itself: any exit here is a failure worth a restart.
      if (Date.now() - startedAt > 60_000) failures = 0;
      failures++;
      this.#counters?.journalctlRestarts();
      const delay = Math.min(this.#opts.restartMaxMs, this.#opts.restartInitialMs * 2 ** Math.min(failures - 1, 16));
      const reason = exit.error ? exit.error.message : exit.signal ? `killed by ${exit.signal}` : `exited with code ${exit.code}`;
      this.#logger.error(
        { journalctl: this.#opts.journalctl, args, reason, stderr: exit.stderr.slice(-2000), restartInMs: delay, resumeAfter: this.#lastCursor ?? this.#from.kind },
        'journalctl stopped; restarting it after the last entry handed on',
      );
      drained = false;
      await sleep(delay);
    }
  }

  async *#runOnce(args: string[]): AsyncGenerator<JournalEntry[], { code: number | null; signal: NodeJS.Signals | null; stderr: string; error?: Error }> {
    const child: Child = spawn(this.#opts.journalctl, args, { stdio: ['ignore', 'pipe', 'pipe'] });
    this.#child = child;
    let stderr = '';
    child.stderr.setEncoding('utf8');
    child.stderr.on('data', (d: string) => {
      stderr = (stderr + d).slice(-8192);
    });
    let queue: JournalEntry[] = [];
    let wake: (() => void) | undefined;
    let ended = false;
    let failure: Error | undefined;
    const parser = new ExportParser((entry) => queue.push(entry), { firstSeq: this.#nextSeq });
    const notify = () => {
      const w = wake;
      wake = undefined;
      w?.();
    };
    child.stdout.on('data', (chunk: Buffer) => {
      try {
        parser.push(chunk);
      } catch (error) {
        failure ??= error as Error;
        child.kill('SIGTERM');
      }
      if (queue.length >= this.#opts.highWaterEntries) child.stdout.pause();
      if (queue.length > 0) notify();
    });
    const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) => {
      child.once('error', (error) => {
        failure ??= new JournalError('ERR_JOURNALCTL_SPAWN', `cannot run ${this.#opts.journalctl}: ${error.message}; install systemd's journalctl or set journal.journalctl`);
        resolve({ code: null, signal: null });
      });
      child.once('close', (code, signal) => resolve({ code, signal }));
    });
    void exited.then(() => {
      if (!failure) {
        try {
          parser.end();
        } catch (error) {
          // A partial entry at the end of a killed journalctl is normal: it is read again after the restart.
          if (!this.#stopped && (error as JournalError).code !== 'ERR_EXPORT_TRUNCATED') failure = error as Error;
        }
      }
      ended = true;
      notify();
    });

    while (true) {
      if (queue.length > 0) {
        const batch = queue;
        queue = [];
        const last = batch[batch.length - 1]!;
        this.#lastCursor = last.cursor;
        this.#nextSeq = last.seq + 1;
        this.#counters?.entriesRead(batch.length);
        if (child.stdout.isPaused() && !ended) child.stdout.resume();
        yield batch;
        if (this.#stopped) break;
        continue;
      }
      if (ended) break;
      await new Promise<void>((resolve) => (wake = resolve));
    }
    const { code, signal } = await exited;
    return failure ? { code, signal, stderr, error: failure } : { code, signal, stderr };
  }

  /**
   * A checkpoint cursor the journal no longer holds (vacuumed, rotated away): journalctl would seek to the
   * nearest entry without a word. Report the time range lost and resume at the oldest entry instead.
   */
  async #checkCursor(cursor: string): Promise<void> {
    const first = await this.#firstEntryAt(cursor);
    if (first && sameEntry(first.cursor, cursor)) return;
    const oldest = await this.#firstEntryAt(undefined);
    this.lost = { cursor, fromUs: cursorRealtimeUs(cursor), toUs: oldest?.realtimeUs };
    const iso = (us: number | undefined) => (us === undefined ? 'unknown' : new Date(us / 1000).toISOString());
    this.#logger.error(
      { cursor, lostFrom: iso(this.lost.fromUs), lostUntil: iso(this.lost.toUs) },
      `checkpoint cursor is no longer in the journal (vacuumed or rotated away): entries between ${iso(this.lost.fromUs)} and ${iso(this.lost.toUs)} may be lost; resuming at the oldest entry. Raise journald's SystemMaxUse/MaxRetentionSec if this repeats`,
    );
    this.#from = { kind: 'head' };
    this.#lastCursor = undefined;
  }

  /** The first entry journalctl prints at a cursor (or at the head). */
  async #firstEntryAt(cursor: string | undefined): Promise<JournalEntry | undefined> {
    const args = cursor ? probeCursorArgs(this.#opts, cursor) : drainArgs(this.#opts, { kind: 'head' });
    const child = spawn(this.#opts.journalctl, args, { stdio: ['ignore', 'pipe', 'ignore'] });
    let found: JournalEntry | undefined;
    const parser = new ExportParser((entry) => {
      found ??= entry;
    });
    return new Promise((resolve) => {
      child.stdout.on('data', (chunk: Buffer) => {
        if (found) return;
        try {
          parser.push(chunk);
        } catch {
          child.kill('SIGKILL');
        }
        if (found) {
          child.kill('SIGKILL');
          resolve(found);
        }
      });
      child.once('error', () => resolve(undefined));
      child.once('close', () => resolve(found));
    });
  }
}
