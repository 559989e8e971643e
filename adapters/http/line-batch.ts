// A batch of line events (Loggly's bulk lines, LogDNA's JSON lines, stdout's lines) kept as bytes outside the
// JS heap from the moment each is added: the request body (or write) is cut from them when the batch is sent.
import type { BatchStore } from '../../src/pipeline/destination.ts';
import { SegmentedBytes } from './segmented-bytes.ts';

/**
 * Kept as an array of event strings, a batch's strings outlive young collections while it waits (up to
 * `flush_interval`, longer on a backlog), are promoted and wait for a full collection; here each event's
 * string dies young and the batch weighs its bytes (as CloudWatch's EventBatch does, see docs/performance.md).
 */
export class LineBatch {
  readonly #bytes = new SegmentedBytes();
  /** Each event's segment and where it ends there; it starts where the one before ends, or at 0 in a new segment. */
  readonly #segs: number[] = [];
  readonly #ends: number[] = [];

  /** A batch of these events (tests, and a caller that has them as strings). */
  static of(events: readonly string[]): LineBatch {
    const batch = new LineBatch();
    for (const e of events) batch.add(e);
    return batch;
  }

  /** Bytes the batch holds (its segments' capacity), beside what its events weigh. */
  get capacity(): number {
    return this.#bytes.capacity;
  }

  get length(): number {
    return this.#ends.length;
  }

  add(text: string): void {
    // A UTF-16 code unit is at most 3 UTF-8 bytes; counted exactly only where that bound does not fit.
    const bound = text.length * 3;
    const bytes = this.#bytes.reserve(this.#bytes.fits(bound) ? bound : Buffer.byteLength(text));
    const from = this.#bytes.at;
    const end = from + bytes.write(text, from, 'utf8');
    this.#bytes.commit(end);
    this.#segs.push(this.#bytes.segment);
    this.#ends.push(end);
  }

  /** Event i's bytes (a view of its segment). */
  #event(i: number): Buffer {
    const seg = this.#segs[i]!;
    const start = i > 0 && this.#segs[i - 1] === seg ? this.#ends[i - 1]! : 0;
    return this.#bytes.bytesOf(seg).subarray(start, this.#ends[i]!);
  }

  /** Event i as text (a test's and an error message's view; the body never goes through strings). */
  event(i: number): string {
    return this.#event(i).toString('utf8');
  }

  /**
   * `head`, the events (all, or those of `which` in its order) joined by `separator`, then `tail`: a copy, never
   * a view of the batch's segments, which release() hands to the next batches while a body may still be referenced.
   */
  body(head: string, separator: string, tail: string, which?: readonly number[]): Buffer {
    const count = which?.length ?? this.#ends.length;
    const all = which === undefined && separator === '';
    const sep = Buffer.from(separator);
    let size = Buffer.byteLength(head) + Buffer.byteLength(tail) + Math.max(0, count - 1) * sep.length;
    const segments = this.#bytes.segment + 1;
    if (all) for (let s = 0; s < segments; s++) size += this.#bytes.usedOf(s);
    else for (let k = 0; k < count; k++) size += this.#event(which === undefined ? k : which[k]!).length;
    const out = Buffer.allocUnsafeSlow(size);
    let at = out.write(head, 0, 'utf8');
    if (all) {
      // The segments' bytes in order are the events joined.
      for (let s = 0; s < segments; s++) at += this.#bytes.bytesOf(s).copy(out, at);
    } else {
      for (let k = 0; k < count; k++) {
        if (k > 0) at += sep.copy(out, at);
        at += this.#event(which === undefined ? k : which[k]!).copy(out, at);
      }
    }
    out.write(tail, at, 'utf8');
    return out;
  }

  /** The batch is done and will not be sent again: its segments go back to the pool (bodies were copies). */
  release(): void {
    this.#bytes.release();
    this.#segs.length = 0;
    this.#ends.length = 0;
  }
}

/** How the runner keeps an HTTP destination's batches (Destination.batches). */
export const LINE_BATCHES: BatchStore<string, LineBatch> = {
  create: () => new LineBatch(),
  add: (batch, event) => batch.add(event.data),
  release: (batch) => batch.release(),
};
