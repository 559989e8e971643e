// Which journal entries one destination is done with, and so how far its checkpoint may move.

/**
 * Entries are registered in read order (seq 1, 2, 3...); records come back done in any order (batches of
 * different streams complete out of order). The commit point is the last entry such that it and every
 * earlier one are done: a checkpoint never passes an entry that is not acknowledged.
 *
 * An entry registered without a cursor (the shared reader passing over what a destination already has)
 * commits like any other but leaves the committed cursor where it was: a checkpoint never moves back to it.
 */
export class AckTracker {
  #base: number; // seq held at index #head
  #head = 0;
  #cursors: Array<string | undefined> = [];
  #done: Uint8Array = new Uint8Array(1024);
  /** Entries done past the commit point (behind one still out). */
  #doneAhead = 0;
  #committedSeq: number;
  #committedCursor: string | undefined;

  /** `afterSeq`: the seq of the last entry already committed (0 when none); `afterCursor`: its cursor. */
  constructor(afterSeq = 0, afterCursor?: string) {
    this.#base = afterSeq + 1;
    this.#committedSeq = afterSeq;
    this.#committedCursor = afterCursor;
  }

  /** Entries registered but not yet committed. */
  get pending(): number {
    return this.#cursors.length - this.#head;
  }

  /** Entries done but not committed, because an earlier one is still out: what a crash now would send again. */
  get doneAhead(): number {
    return this.#doneAhead;
  }

  get committedSeq(): number {
    return this.#committedSeq;
  }

  get committedCursor(): string | undefined {
    return this.#committedCursor;
  }

  /** Cursors of the entries done past the commit point, in read order. */
  doneAheadCursors(): string[] {
    const out: string[] = [];
    if (this.#doneAhead === 0) return out;
    for (let i = this.#head; i < this.#cursors.length; i++) {
      const cursor = this.#cursors[i];
      if (this.#done[i] === 1 && cursor !== undefined) out.push(cursor);
    }
    return out;
  }

  /** Register the next entry; seqs must come in order without gaps. `cursor` undefined: see the class comment. */
  register(seq: number, cursor: string | undefined): void {
    const index = seq - this.#base;
    if (index !== this.#cursors.length) {
      throw new Error(`AckTracker: entry ${seq} registered out of order (expected ${this.#base + this.#cursors.length})`);
    }
    this.#cursors.push(cursor);
    if (index >= this.#done.length) {
      const grown = new Uint8Array(this.#done.length * 2);
      grown.set(this.#done);
      this.#done = grown;
    }
  }

  /** Mark an entry done (delivered, rejected for good, or dropped by the rate limiter). Seq 0 (synthetic) is ignored. */
  done(seq: number): void {
    if (seq <= this.#committedSeq) return;
    const index = seq - this.#base;
    if (index < 0 || index >= this.#cursors.length || this.#done[index] === 1) return;
    this.#done[index] = 1;
    this.#doneAhead++;
    if (index === this.#head) this.#advance();
  }

  #advance(): void {
    const from = this.#head;
    let head = from;
    const n = this.#cursors.length;
    while (head < n && this.#done[head] === 1) head++;
    if (head === from) return;
    this.#doneAhead -= head - from;
    this.#committedSeq = this.#base + head - 1;
    for (let i = head - 1; i >= from; i--) {
      const cursor = this.#cursors[i];
      if (cursor !== undefined) {
        this.#committedCursor = cursor;
        break;
      }
    }
    this.#head = head;
    // Compact once the committed prefix is large, so memory follows what is pending.
    if (head >= 4096 && head * 2 >= n) {
      this.#cursors = this.#cursors.slice(head);
      const done = new Uint8Array(Math.max(1024, this.#done.length));
      done.set(this.#done.subarray(head, n));
      this.#done = done;
      this.#base += head;
      this.#head = 0;
    }
  }
}
