// A batch of line events (Loggly's bulk lines, LogDNA's JSON lines, stdout's lines) kept as bytes outside the
// JS heap from the moment each is added: the request body (or write) is cut from them when the batch is sent.
import type { BatchStore } from '../../src/pipeline/destination.ts';
import { giveBuffer, grownBuffer, INITIAL_BYTES, takeBuffer } from './buffer-pool.ts';

const NO_BYTES = Buffer.alloc(0);

/**
 * Kept as an array of event strings, a batch's strings outlive young collections while it waits (up to
 * `flush_interval`, longer on a backlog), are promoted and wait for a full collection; here each event's
 * string dies young and the batch weighs its bytes (as CloudWatch's EventBatch does, see docs/performance.md).
 */
export class LineBatch {
  #bytes: Buffer = takeBuffer(INITIAL_BYTES);
  #used = 0;
  /** Where each event ends; it starts where the one before ends. */
  readonly #ends: number[] = [];

  /** A batch of these events (tests, and a caller that has them as strings). */
  static of(events: readonly string[]): LineBatch {
    const batch = new LineBatch();
    for (const e of events) batch.add(e);
    return batch;
  }

  get length(): number {
    return this.#ends.length;
  }

  add(text: string): void {
    // A UTF-16 code unit is at most 3 UTF-8 bytes.
    this.#bytes = grownBuffer(this.#bytes, this.#used, text.length * 3);
    this.#used += this.#bytes.write(text, this.#used, 'utf8');
    this.#ends.push(this.#used);
  }

  /** Event i as text (a test's and an error message's view; the body never goes through strings). */
  event(i: number): string {
    return this.#bytes.toString('utf8', i > 0 ? this.#ends[i - 1]! : 0, this.#ends[i]!);
  }

  /**
   * `head`, the events (all, or those of `which` in its order) joined by `separator`, then `tail`: a copy, never
   * a view of the batch's buffer, which release() hands to the next batches while a body may still be referenced.
   */
  body(head: string, separator: string, tail: string, which?: readonly number[]): Buffer {
    if (which === undefined && separator === '') {
      const out = Buffer.allocUnsafeSlow(Buffer.byteLength(head) + this.#used + Buffer.byteLength(tail));
      let at = out.write(head, 0, 'utf8');
      at += this.#bytes.copy(out, at, 0, this.#used);
      out.write(tail, at, 'utf8');
      return out;
    }
    const count = which?.length ?? this.#ends.length;
    const sep = Buffer.from(separator);
    let size = Buffer.byteLength(head) + Buffer.byteLength(tail) + Math.max(0, count - 1) * sep.length;
    for (let k = 0; k < count; k++) {
      const i = which === undefined ? k : which[k]!;
      size += this.#ends[i]! - (i > 0 ? this.#ends[i - 1]! : 0);
    }
    const out = Buffer.allocUnsafeSlow(size);
    let at = out.write(head, 0, 'utf8');
    for (let k = 0; k < count; k++) {
      const i = which === undefined ? k : which[k]!;
      if (k > 0) at += sep.copy(out, at);
      at += this.#bytes.copy(out, at, i > 0 ? this.#ends[i - 1]! : 0, this.#ends[i]!);
    }
    out.write(tail, at, 'utf8');
    return out;
  }

  /** The batch is done and will not be sent again: its buffer goes back to the pool (bodies were copies). */
  release(): void {
    giveBuffer(this.#bytes);
    this.#bytes = NO_BYTES;
    this.#used = 0;
    this.#ends.length = 0;
  }
}

/** How the runner keeps an HTTP destination's batches (Destination.batches). */
export const LINE_BATCHES: BatchStore<string, LineBatch> = {
  create: () => new LineBatch(),
  add: (batch, event) => batch.add(event.data),
  release: (batch) => batch.release(),
};
