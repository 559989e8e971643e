// One destination's lane: its runner, its acknowledgement trackers, and whether the shared reader feeds it.
import { compareCursors } from '../journal/cursor-order.ts';
import type { ReadFrom } from '../journal/journalctl-args.ts';
import type { JournalEntry } from '../model/journal-entry.ts';
import type { LogRecord } from '../model/log-record.ts';
import { AckTracker } from './ack-tracker.ts';
import type { DestinationRunner } from './destination-runner.ts';

/**
 * Sequence numbers are per reader. The shared reader counts from 1; the catch-up reader of a detached lane
 * counts from generation * GENERATION_SPAN, so an acknowledgement finds its tracker by its number alone
 * (2^40 entries per reader, 8192 generations within Number's exact integers).
 */
export const GENERATION_SPAN = 2 ** 40;

/**
 * Where the lane's delivery starts in the shared reader's stream: entries up to and including `cursor` (or
 * logged before `sinceUs`) are already this lane's past, and are acknowledged without sending.
 */
export type LaneStart = { kind: 'all' } | { kind: 'after'; cursor: string } | { kind: 'since'; sinceUs: number };

interface Generation {
  id: number;
  tracker: AckTracker;
}

interface AheadWaiter {
  limit: number;
  resolve: () => void;
}

export class Lane {
  readonly id: string;
  runner: DestinationRunner;
  /** Where this lane reads from when it has no committed cursor yet (its configured start). */
  readonly origin: ReadFrom;
  /** True while the shared reader feeds the lane; false while it is detached and catching up on its own. */
  attached = true;
  failed: string | undefined;
  /** Wall-clock ms of the last acknowledgement (or of the lane's start). */
  lastAckAt = Date.now();
  /** Times this lane was detached, for metrics and logs. */
  detachments = 0;
  #start: LaneStart;
  #skipThroughSeq = 0;
  /** Oldest first: a catch-up generation drains while the next one fills. */
  #generations: Generation[];
  #nextGeneration = 1;
  #lastWritten: string | undefined;
  /** Cursor of the first entry this lane took (not skipped): where a catch-up starts when nothing is committed. */
  #firstCursor: string | undefined;
  /** Cursors the destination accepted before its detach, not yet read by the catch-up (see detach()). */
  #deliveredBefore: Set<string> | undefined;
  /** Seqs of the catch-up's entries the destination accepted before its detach, until their record is seen. */
  readonly #deliveredSeqs = new Set<number>();
  #aheadWaiters: AheadWaiter[] = [];

  constructor(runner: DestinationRunner, origin: ReadFrom, start: LaneStart, checkpointCursor: string | undefined) {
    this.id = runner.destination.id;
    this.runner = runner;
    this.origin = origin;
    this.#start = start;
    this.#lastWritten = checkpointCursor;
    this.#generations = [{ id: 0, tracker: new AckTracker(0, checkpointCursor) }];
  }

  /** The shared reader starts exactly at this lane's start: nothing to skip. */
  skipNothing(): void {
    this.#start = { kind: 'all' };
  }

  #current(): AckTracker {
    return this.#generations[this.#generations.length - 1]!.tracker;
  }

  /**
   * Registers an entry of the lane's current reader. An entry before the lane's start is done at once, and
   * registered without its cursor: it is the lane's past, and its checkpoint must not move back to it.
   */
  admitEntry(entry: JournalEntry): void {
    const tracker = this.#current();
    if (this.#start.kind !== 'all') {
      const past =
        this.#start.kind === 'after'
          ? entry.cursor === this.#start.cursor || compareCursors(entry.cursor, this.#start.cursor) <= 0
          : entry.realtimeUs < this.#start.sinceUs;
      if (past) {
        tracker.register(entry.seq, undefined);
        tracker.done(entry.seq);
        this.#skipThroughSeq = entry.seq;
        return;
      }
      this.#start = { kind: 'all' };
    }
    tracker.register(entry.seq, entry.cursor);
    this.#firstCursor ??= entry.cursor;
    if (this.#deliveredBefore?.delete(entry.cursor)) {
      this.#deliveredSeqs.add(entry.seq);
      if (this.#deliveredBefore.size === 0) this.#deliveredBefore = undefined;
    }
  }

  /**
   * Whether a record of the lane's current reader goes to it: not when its last entry is the lane's past, nor
   * when the destination accepted every entry it holds before it was detached (see detach()).
   */
  wants(record: LogRecord): boolean {
    if (record.seq === 0) return true;
    if (record.seq <= this.#skipThroughSeq) return false;
    const delivered = this.#deliveredSeqs;
    if (delivered.size === 0) return true;
    let all = delivered.delete(record.seq);
    if (record.joinedSeqs) for (const s of record.joinedSeqs) all = delivered.delete(s) && all;
    return !all;
  }

  /** Entries acknowledged past the commit point: what a crash now would send again (beyond what is in flight). */
  get ackedAhead(): number {
    let n = 0;
    for (const g of this.#generations) n += g.tracker.doneAhead;
    return n;
  }

  /** Resolves once ackedAhead is below `limit`, or when `signal` aborts. */
  whenAckedAheadBelow(limit: number, signal: AbortSignal): Promise<void> {
    if (signal.aborted || this.ackedAhead < limit) return Promise.resolve();
    return new Promise((resolve) => {
      const waiter: AheadWaiter = {
        limit,
        resolve: () => {
          signal.removeEventListener('abort', onAbort);
          resolve();
        },
      };
      const onAbort = (): void => {
        this.#aheadWaiters = this.#aheadWaiters.filter((w) => w !== waiter);
        resolve();
      };
      signal.addEventListener('abort', onAbort, { once: true });
      this.#aheadWaiters.push(waiter);
    });
  }

  #wakeAheadWaiters(): void {
    if (this.#aheadWaiters.length === 0) return;
    const ahead = this.ackedAhead;
    const ready = this.#aheadWaiters.filter((w) => ahead < w.limit);
    if (ready.length === 0) return;
    this.#aheadWaiters = this.#aheadWaiters.filter((w) => ahead >= w.limit);
    for (const w of ready) w.resolve();
  }

  /** Acknowledges every entry a record holds, in the tracker of the reader that read it. */
  ack(record: LogRecord): void {
    this.ackSeqs(record.seq, record.joinedSeqs);
  }

  ackSeqs(seq: number, joinedSeqs: readonly number[] | undefined): void {
    this.lastAckAt = Date.now();
    if (seq === 0) return;
    const generation = Math.floor(seq / GENERATION_SPAN);
    const found = this.#generations.length === 1 ? this.#generations[0]! : this.#generations.find((g) => g.id === generation);
    // A generation reset by a detach: its entries are read again.
    if (!found || found.id !== generation) return;
    found.tracker.done(seq);
    if (joinedSeqs) for (const s of joinedSeqs) found.tracker.done(s);
    this.#wakeAheadWaiters();
  }

  /**
   * Detach: forget everything in flight (the caller abandons the runner) and count entries from a new
   * catch-up generation that restarts at the committed cursor. Returns where the catch-up reads from and
   * the number its first entry gets. The catch-up reads again what the destination accepted behind an entry
   * still out, but does not send it again: those cursors are remembered until it reads them.
   */
  detach(runner: DestinationRunner): { from: ReadFrom; firstSeq: number } {
    const committed = this.committedCursor;
    // Entries acknowledged in a generation after one with entries still out are not remembered: they are
    // sent again (the case of a lane detached again while the previous catch-up's last batches are out).
    const delivered = new Set<string>();
    for (const g of this.#generations) for (const cursor of g.tracker.doneAheadCursors()) delivered.add(cursor);
    this.#deliveredBefore = delivered.size > 0 ? delivered : undefined;
    this.#deliveredSeqs.clear();
    const id = this.#nextGeneration++;
    this.#generations = [{ id, tracker: new AckTracker(id * GENERATION_SPAN, committed) }];
    // The catch-up reads from the committed cursor: everything after it is to be delivered.
    this.#start = { kind: 'all' };
    this.runner = runner;
    this.attached = false;
    this.detachments++;
    this.#wakeAheadWaiters();
    const from: ReadFrom = committed ? { kind: 'after', cursor: committed } : this.#firstCursor ? { kind: 'at', cursor: this.#firstCursor } : this.origin;
    return { from, firstSeq: id * GENERATION_SPAN + 1 };
  }

  /**
   * Rejoin the shared reader. `sharedSeq` is the last entry the shared reader handed on; `caughtUpTo` the
   * last entry the catch-up reader handed on: shared entries up to it are this lane's past.
   */
  attach(sharedSeq: number, caughtUpTo: string | undefined): void {
    // Every shared entry up to sharedSeq is at or before caughtUpTo, which the catch-up generation delivers.
    this.#generations.push({ id: 0, tracker: new AckTracker(sharedSeq, caughtUpTo) });
    this.#skipThroughSeq = sharedSeq;
    this.#start = caughtUpTo ? { kind: 'after', cursor: caughtUpTo } : { kind: 'all' };
    this.#deliveredBefore = undefined;
    this.#deliveredSeqs.clear();
    this.attached = true;
    this.#wakeAheadWaiters();
  }

  /**
   * Whether the lane's runner may hold its batches open on a backlog (DestinationRunner.backlog): not once it
   * has many entries read and not acknowledged. The checkpoint cannot pass an open batch, and every entry
   * after it is remembered (its cursor) until it can: measured, holding batches 10 s on a 200,000-entry
   * backlog kept about 150,000 cursors (25 MB more peak RSS). Twice buffer_records bounds that to a few MB.
   */
  mayHoldBatches(bufferRecords: number): boolean {
    return this.pendingEntries < 2 * bufferRecords;
  }

  /** Entries read but not yet acknowledged, over every generation. */
  get pendingEntries(): number {
    let n = 0;
    for (const g of this.#generations) n += g.tracker.pending;
    return n;
  }

  /** Cursor of the last entry such that it and everything before it are acknowledged. */
  get committedCursor(): string | undefined {
    let cursor: string | undefined;
    for (const g of this.#generations) {
      if (g.tracker.committedCursor !== undefined) cursor = g.tracker.committedCursor;
      if (g.tracker.pending > 0) break;
    }
    // Retire catch-up generations that are fully acknowledged: the newer one carries on from them.
    while (this.#generations.length > 1 && this.#generations[0]!.tracker.pending === 0) this.#generations.shift();
    return cursor;
  }

  /** The cursor to write now, or undefined when the checkpoint has not moved since the last write. */
  takeCheckpoint(): string | undefined {
    const cursor = this.committedCursor;
    if (cursor === undefined || cursor === this.#lastWritten) return undefined;
    this.#lastWritten = cursor;
    return cursor;
  }

  /** A checkpoint write failed: the next takeCheckpoint() offers the cursor again. */
  forgetWrittenCheckpoint(): void {
    this.#lastWritten = undefined;
  }
}
