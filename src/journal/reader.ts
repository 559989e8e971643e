// The interface every journal reader offers the pipeline (journalctl's and the native one), and what they share.
import type { JournalEntry } from '../model/journal-entry.ts';
import type { Logger } from '../selflog/logger.ts';
import type { JournalSource, ReadFrom } from './journalctl-args.ts';

export interface ReaderOptions extends JournalSource {
  /** Where to start: after a checkpoint cursor, or at the head or tail when there is none. */
  from: ReadFrom;
  /** Keep waiting for new entries at the end (daemon), or stop at the end (catch-up, tests). */
  follow: boolean;
  /** Seq of the first entry handed on (seqs continue across restarts). */
  firstSeq?: number;
  /** Reading pauses while this many entries wait for the consumer. */
  highWaterEntries?: number;
  /**
   * Native reader: the only fields the consumer reads; entries handed on hold these alone (those they have),
   * which spares decoding the rest. Unset: every field. The journalctl reader always hands on every field.
   */
  fields?: ReadonlySet<string>;
  /** Native reader: bytes of entries read between two drops of the mapped journal pages (mapped-pages.ts). */
  releaseMappedBytes?: number;
  /** Check at start that the starting cursor is still in the journal (off when it was just read). */
  checkCursor?: boolean;
  /** Restart delays after the reader fails (journalctl exits or dies, libsystemd returns an error). */
  restartInitialMs?: number;
  restartMaxMs?: number;
}

/** Counters the reader reports; the metrics module implements them. */
export interface ReaderCounters {
  entriesRead(n: number): void;
  /** The reader failed and is restarted (the metric keeps its first name, journalctl_restarts_total). */
  journalctlRestarts(): void;
}

/** A cursor lost from the journal: what the reader reports before resuming at the oldest entry. */
export interface LostRange {
  cursor: string;
  fromUs: number | undefined;
  toUs: number | undefined;
}

/** What the pipeline and catch-up readers use, whichever reader runs. */
export interface JournalEntryReader {
  /** Entries in batches, in journal order, each exactly once across the reader's restarts. */
  batches(): AsyncGenerator<JournalEntry[]>;
  /** Stops reading: the batches() loop ends after the batch in hand. */
  stop(): void;
  /** Cursor of the last entry handed on (or the starting cursor). */
  readonly lastCursor: string | undefined;
  /** Set when the starting cursor was not in the journal any more. */
  readonly lost: LostRange | undefined;
}

/**
 * Entries read ahead before reading pauses. 2,048 measured about 12 MB less RSS at the peak of a
 * 200,000-entry backlog to CloudWatch, but a catch-up reader hands on batches of this size, and with a small
 * buffer against a slow destination smaller batches made catching up far slower (soak test: 50,000 entries,
 * 2 s per answer, buffer_records 1,000: 81 s at 8,192, not done in 240 s at 2,048).
 */
export const HIGH_WATER_ENTRIES = 8192;

/** The loud report of a lost checkpoint cursor, the same from every reader. */
export function reportLostCursor(logger: Logger, lost: LostRange): void {
  const iso = (us: number | undefined) => (us === undefined ? 'unknown' : new Date(us / 1000).toISOString());
  logger.error(
    { cursor: lost.cursor, lostFrom: iso(lost.fromUs), lostUntil: iso(lost.toUs) },
    `checkpoint cursor is no longer in the journal (vacuumed or rotated away): entries between ${iso(lost.fromUs)} and ${iso(lost.toUs)} may be lost; resuming at the oldest entry. Raise journald's SystemMaxUse/MaxRetentionSec if this repeats`,
  );
}
