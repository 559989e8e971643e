// One destination's lane through the pipeline: its runner, its acknowledgement tracker and its start point.
import type { JournalEntry } from '../model/journal-entry.ts';
import type { LogRecord } from '../model/log-record.ts';
import { compareCursors } from '../journal/cursor-order.ts';
import { AckTracker } from './ack-tracker.ts';
import type { DestinationRunner } from './destination-runner.ts';

/**
 * Where the lane's delivery starts relative to the shared reader: every entry up to and including `cursor`
 * (or logged before `sinceUs`) is already this lane's past and is skipped (acknowledged without sending).
 */
export type LaneStart = { kind: 'all' } | { kind: 'after'; cursor: string } | { kind: 'since'; sinceUs: number };

export class Lane {
  readonly id: string;
  readonly runner: DestinationRunner;
  readonly tracker = new AckTracker();
  #start: LaneStart;
  #lastWritten: string | undefined;
  failed: string | undefined;

  constructor(runner: DestinationRunner, start: LaneStart, checkpointCursor: string | undefined) {
    this.id = runner.destination.id;
    this.runner = runner;
    this.#start = start;
    this.#lastWritten = checkpointCursor;
  }

  /** The shared reader starts exactly at this lane's start: nothing to skip. */
  skipNothing(): void {
    this.#start = { kind: 'all' };
  }

  /** Registers an entry read by the shared reader; an entry before the lane's start is acknowledged at once. */
  admitEntry(entry: JournalEntry): void {
    this.tracker.register(entry.seq, entry.cursor);
    if (this.#start.kind === 'all') return;
    const past =
      this.#start.kind === 'after'
        ? entry.cursor === this.#start.cursor || compareCursors(entry.cursor, this.#start.cursor) <= 0
        : entry.realtimeUs < this.#start.sinceUs;
    if (!past) {
      this.#start = { kind: 'all' };
      return;
    }
    this.tracker.done(entry.seq);
    this.#skipThroughSeq = entry.seq;
  }

  /** Whether a record goes to this lane: not when its last entry was before the lane's start. */
  wants(record: LogRecord): boolean {
    return record.seq === 0 || record.seq > this.#skipThroughSeq;
  }

  #skipThroughSeq = 0;

  /** Acknowledges every entry a record holds. */
  ack(record: LogRecord): void {
    this.tracker.done(record.seq);
    const joined = record.joinedSeqs;
    if (joined) for (const seq of joined) this.tracker.done(seq);
  }

  /** The cursor to write now, or undefined when the checkpoint has not moved since the last write. */
  takeCheckpoint(): string | undefined {
    const cursor = this.tracker.committedCursor;
    if (cursor === undefined || cursor === this.#lastWritten) return undefined;
    this.#lastWritten = cursor;
    return cursor;
  }

  /** A checkpoint write failed: the next takeCheckpoint() offers the cursor again. */
  forgetWrittenCheckpoint(): void {
    this.#lastWritten = undefined;
  }
}
