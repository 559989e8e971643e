// Runs journalctl and hands on its entries in batches, with backpressure, restarts and cursor checks.
import { spawn, type ChildProcessByStdio } from 'node:child_process';
import type { Readable } from 'node:stream';
import { setTimeout as sleep } from 'node:timers/promises';
import { JournalError } from '../model/errors.ts';
import type { JournalEntry } from '../model/journal-entry.ts';
import type { Logger } from '../selflog/logger.ts';
import { ExportParser } from './export-parser.ts';
import { awaitJournalFiles } from './journal-presence.ts';
import { cursorRealtimeUs, drainArgs, followArgs, probeCursorArgs, sameEntry, type ReadFrom } from './journalctl-args.ts';
import { HIGH_WATER_ENTRIES, reportLostCursor, type JournalEntryReader, type LostRange, type ReaderCounters, type ReaderOptions } from './reader.ts';

export type { LostRange, ReaderCounters, ReaderOptions } from './reader.ts';

type Child = ChildProcessByStdio<null, Readable, Readable>;

export class JournalReader implements JournalEntryReader {
  readonly #opts: Required<Omit<ReaderOptions, 'from'>> & { from: ReadFrom };
  readonly #logger: Logger;
  readonly #counters: ReaderCounters | undefined;
  #from: ReadFrom;
  #nextSeq: number;
  #child: Child | undefined;
  #stopped = false;
  readonly #abort = new AbortController();
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
    this.#abort.abort();
    this.#child?.kill('SIGTERM');
  }

  /**
   * Entries in batches, in journal order, each exactly once across journalctl restarts. Drains the backlog
   * without --follow first (see journalctl-args.ts), then follows when asked to.
   */
  async *batches(): AsyncGenerator<JournalEntry[]> {
    const source = { namespace: this.#opts.namespace, directory: this.#opts.directory, matches: this.#opts.matches };
    if (!(await awaitJournalFiles(source, this.#opts.follow, this.#logger, this.#abort.signal))) return;
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
    reportLostCursor(this.#logger, this.lost);
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
