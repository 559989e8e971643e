// One memory budget for what every destination holds (pipeline.buffer_records / buffer_bytes), shared by them.

/** A destination's runner, as the budget sees it: what it holds, and a way to tell it that room was made. */
export interface BudgetMember {
  readonly heldRecords: number;
  readonly heldBytes: number;
  /** Called when another member gave memory back: a caller waiting for this one to have room may go on. */
  roomMade(): void;
}

/**
 * The records and encoded bytes all destinations hold together, bounded once for the daemon (before, each
 * destination had its own bound, so four destinations held four times as much). A destination alone may use
 * the whole budget; once it is used up, the destinations holding more than an even share are the full ones:
 * the reader waits for them (and detaches them if they stay full), while a destination under its share keeps
 * taking records until it reaches it. So one busy destination cannot starve the others of memory, and the
 * total stays within the budget plus what one read adds.
 */
export class BufferBudget {
  readonly maxRecords: number;
  readonly maxBytes: number;
  readonly #members = new Set<BudgetMember>();
  #records = 0;
  #bytes = 0;

  constructor(maxRecords: number, maxBytes: number) {
    this.maxRecords = maxRecords;
    this.maxBytes = maxBytes;
  }

  get records(): number {
    return this.#records;
  }

  get bytes(): number {
    return this.#bytes;
  }

  join(member: BudgetMember): void {
    this.#members.add(member);
  }

  /** The member holds nothing more (its counts must be given back first). */
  leave(member: BudgetMember): void {
    this.#members.delete(member);
    this.#wakeAll(member);
  }

  /** A member took (positive) or gave back (negative) records and bytes. */
  change(member: BudgetMember, records: number, bytes: number): void {
    this.#records += records;
    this.#bytes += bytes;
    if (records < 0 || bytes < 0) this.#wakeAll(member);
  }

  /** Whether `member` must wait before it takes more (see the class comment). */
  isFull(member: BudgetMember): boolean {
    if (member.heldRecords >= this.maxRecords || member.heldBytes >= this.maxBytes) return true;
    if (this.#records < this.maxRecords && this.#bytes < this.maxBytes) return false;
    const n = Math.max(1, this.#members.size);
    return member.heldRecords >= this.maxRecords / n || member.heldBytes >= this.maxBytes / n;
  }

  #wakeAll(except: BudgetMember): void {
    if (this.#members.size < 2) return;
    for (const m of this.#members) if (m !== except) m.roomMade();
  }
}
