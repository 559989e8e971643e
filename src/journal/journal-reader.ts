// Runs journalctl and hands on its entries in batches, with backpressure, restarts and cursor checks.
import { spawn, type ChildProcessByStdio } from 'node:child_process';
import type { Readable } from 'node:stream';
import { setTimeout as sleep } from 'node:timers/promises';
import { JournalError } from '../model/errors.ts';
import type { JournalEntry } from '../model/journal-entry.ts';
import type { Logger } from '../selflog/logger.ts';
import { ExportParser } from './export-parser.ts';
import { awaitJournalFiles } from './journal-presence.ts';
import { cursorRealtimeUs, drainArgs, followArgs, probeCursorArgs, sameEntry } from './journalctl-args.ts';
import { reportLostCursor, type JournalEntryReader, type LostRange, type ReaderCounters, type ReaderOptions } from './reader.ts';
import { ReadPosition, readerSettings, RestartBackoff, type ReaderSettings } from './reader-state.ts';

export type { LostRange, ReaderCounters, ReaderOptions } from './reader.ts';

type Child = ChildProcessByStdio<null, Readable, Readable>;

export class JournalReader implements JournalEntryReader {
  readonly #opts: ReaderSettings;
  readonly #logger: Logger;
  readonly #counters: ReaderCounters | undefined;
  readonly #position: ReadPosition;
  #child: Child | undefined;
  #stopped = false;
  readonly #abort = new AbortController();
  /** Set when the starting cursor was not in the journal any more. */
  lost: LostRange | undefined;

  constructor(options: ReaderOptions, logger: Logger, counters?: ReaderCounters) {
    this.#opts = readerSettings(options);
    this.#position = new ReadPosition(this.#opts);
    this.#logger = logger;
    this.#counters = counters;
  }

  /** Cursor of the last entry handed on (or the starting cursor). */
  get lastCursor(): string | undefined {
    return this.#position.lastCursor;
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
    const position = this.#position;
    if (this.#opts.checkCursor && (position.from.kind === 'after' || position.from.kind === 'at')) await this.#checkCursor(position.from.cursor);
    // From the tail without following, there is nothing to read.
    if (position.from.kind === 'tail' && !this.#opts.follow) return;
    const backoff = new RestartBackoff(this.#opts);
    let drained = position.from.kind === 'tail';
    while (!this.#stopped) {
      const follow = drained && this.#opts.follow;
      const args = follow ? followArgs(this.#opts, position.from) : drainArgs(this.#opts, position.from);
      const startedAt = Date.now();
      let exit: { code: number | null; signal: NodeJS.Signals | null; stderr: string; error?: Error };
      try {
        exit = yield* this.#runOnce(args);
      } finally {
        this.#child?.kill('SIGTERM');
      }
      position.resume();
      if (this.#stopped) return;
      if (exit.code === 0 && !follow) {
        drained = true;
        backoff.succeeded();
        if (!this.#opts.follow) return;
        continue;
      }
      // journalctl --follow never exits by itself: any exit here is a failure worth a restart.
      const delay = backoff.failed(startedAt);
      this.#counters?.journalctlRestarts();
      const reason = exit.error ? exit.error.message : exit.signal ? `killed by ${exit.signal}` : `exited with code ${exit.code}`;
      this.#logger.error(
        { journalctl: this.#opts.journalctl, args, reason, stderr: exit.stderr.slice(-2000), restartInMs: delay, resumeAfter: position.lastCursor ?? position.from.kind },
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
    const parser = new ExportParser((entry) => queue.push(entry), { firstSeq: this.#position.nextSeq });
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
        this.#position.handedOn(batch);
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
    this.#position.restartAtHead();
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
