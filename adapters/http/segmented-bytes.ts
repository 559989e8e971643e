// A batch's bytes as a list of segments taken from the buffer pool: written in place as events are added,
// never moved. Shared by CloudWatch's EventBatch and the HTTP destinations' LineBatch.
import { giveBuffer, INITIAL_BYTES, takeBuffer } from './buffer-pool.ts';

/** Segments after the first double in capacity up to this; an event needing more room gets a larger power of two. */
export const MAX_SEGMENT_BYTES = 128 * 1024;

/**
 * Measured (docs/performance.md, 2026-12-06): grown by doubling into one buffer, a batch copied what it held
 * each time it doubled (`Buffer#copy` in grownBuffer, 1.4% of the daemon's main thread on a backlog to
 * CloudWatch, 1.6% more with all four destinations) and held up to twice its bytes. Here a batch is written
 * into segments of 16, 32, 64, then 128 KiB: nothing is copied until the request body is cut, and what a
 * batch holds beyond its bytes is the free end of each segment. An event starts a new segment when the room it
 * needs is not left; callers reserve a cheap upper bound of an event's bytes and, where that does not fit
 * (fits()), its exact size, so that a segment is not left half empty for want of room the event never uses.
 */
export class SegmentedBytes {
  readonly #segments: Buffer[] = [];
  /** Bytes written in each segment but the last (the last's count is #at). */
  readonly #used: number[] = [];
  #current: Buffer | undefined;
  #at = 0;

  /** Bytes held: the segments' capacity (tests and measurements). */
  get capacity(): number {
    let n = 0;
    for (const s of this.#segments) n += s.length;
    return n;
  }

  /** Index of the segment being written (-1 before the first write). */
  get segment(): number {
    return this.#segments.length - 1;
  }

  /** Where the next byte goes in the current segment. */
  get at(): number {
    return this.#at;
  }

  /** Whether `room` bytes are left in the current segment. */
  fits(room: number): boolean {
    return this.#current !== undefined && this.#at + room <= this.#current.length;
  }

  /**
   * The segment to write the next event into, with at least `room` bytes free from `at`: the current one, or a
   * new one when it has not that much left. Write, then commit() where the event ends.
   */
  reserve(room: number): Buffer {
    const current = this.#current;
    if (current !== undefined && this.#at + room <= current.length) return current;
    let capacity = current === undefined ? INITIAL_BYTES : Math.min(current.length * 2, MAX_SEGMENT_BYTES);
    while (capacity < room) capacity *= 2;
    if (current !== undefined) this.#used.push(this.#at);
    const next = takeBuffer(capacity);
    this.#segments.push(next);
    this.#current = next;
    this.#at = 0;
    return next;
  }

  /** The current segment now holds `end` bytes. */
  commit(end: number): void {
    this.#at = end;
  }

  /** The bytes written in segment `i`. */
  bytesOf(i: number): Buffer {
    return this.#segments[i]!.subarray(0, i === this.#segments.length - 1 ? this.#at : this.#used[i]!);
  }

  /** Bytes written in segment `i`. */
  usedOf(i: number): number {
    return i === this.#segments.length - 1 ? this.#at : this.#used[i]!;
  }

  /** Segments go back to the pool; the bytes must not be read again (bodies cut from them are copies). */
  release(): void {
    for (const s of this.#segments) giveBuffer(s);
    this.#segments.length = 0;
    this.#used.length = 0;
    this.#current = undefined;
    this.#at = 0;
  }
}
