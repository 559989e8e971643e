// What both journal readers (journalctl's and the native one) keep across their restarts: their options with
// defaults, where the next run starts and the seq it numbers from, and the delay before a restart.
import type { JournalEntry } from '../model/journal-entry.ts';
import type { ReadFrom } from './journalctl-args.ts';
import { RELEASE_EVERY_BYTES } from './mapped-pages.ts';
import { HIGH_WATER_ENTRIES, type ReaderOptions } from './reader.ts';

/** `fields` stays optional: unset means every field. */
export type ReaderSettings = Required<Omit<ReaderOptions, 'from' | 'fields'>> & { from: ReadFrom; fields?: ReadonlySet<string> };

/** A run that lasted this long was healthy: the restart after it waits the initial delay again. */
const HEALTHY_RUN_MS = 60_000;

export function readerSettings(options: ReaderOptions): ReaderSettings {
  return { firstSeq: 1, checkCursor: true, highWaterEntries: HIGH_WATER_ENTRIES, releaseMappedBytes: RELEASE_EVERY_BYTES, restartInitialMs: 250, restartMaxMs: 30_000, ...options };
}

/** Where the next run of a reader starts, and the seq of its first entry: each entry is handed on exactly once. */
export class ReadPosition {
  from: ReadFrom;
  nextSeq: number;
  /** Cursor of the last entry handed on (or the starting cursor). */
  lastCursor: string | undefined;

  constructor(settings: ReaderSettings) {
    this.from = settings.from;
    this.nextSeq = settings.firstSeq;
    if (settings.from.kind === 'after') this.lastCursor = settings.from.cursor;
  }

  /** `batch` (not empty) is handed on: the reader is past its last entry. */
  handedOn(batch: readonly JournalEntry[]): void {
    const last = batch[batch.length - 1]!;
    this.lastCursor = last.cursor;
    this.nextSeq = last.seq + 1;
  }

  /** A run ended: the next one starts after the last entry handed on (else where this one started). */
  resume(): void {
    if (this.lastCursor) this.from = { kind: 'after', cursor: this.lastCursor };
  }

  /** The starting cursor is no longer in the journal: start again at the oldest entry. */
  restartAtHead(): void {
    this.from = { kind: 'head' };
    this.lastCursor = undefined;
  }
}

/** The delay before restarting a failed reader: doubling from restartInitialMs up to restartMaxMs. */
export class RestartBackoff {
  readonly #initialMs: number;
  readonly #maxMs: number;
  #failures = 0;

  constructor(settings: Pick<ReaderSettings, 'restartInitialMs' | 'restartMaxMs'>) {
    this.#initialMs = settings.restartInitialMs;
    this.#maxMs = settings.restartMaxMs;
  }

  /** The run started at `startedAt` (Date.now()) failed: the delay before the next one. */
  failed(startedAt: number): number {
    if (Date.now() - startedAt > HEALTHY_RUN_MS) this.#failures = 0;
    this.#failures++;
    return Math.min(this.#maxMs, this.#initialMs * 2 ** Math.min(this.#failures - 1, 16));
  }

  /** A run ended well: the next failure waits the initial delay. */
  succeeded(): void {
    this.#failures = 0;
  }
}
