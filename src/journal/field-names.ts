// FieldNameCache: maps the bytes of a field name to one interned string (and its `NAME=` prefix), because
// the same few dozen names repeat in every entry and making fresh strings for each (then interning them as
// property keys) was the largest cost of parsing.

/** A field name as the parser uses it. */
export interface FieldName {
  /** The name, interned: storing it as a property key needs no string-table lookup. */
  readonly name: string;
  /** `NAME=`, flat, for recognizing a text field line with one startsWith. */
  readonly prefix: string;
  readonly bytes: Uint8Array;
}

/** Slots in the table; a journal has a few hundred distinct names at most, and a miss only costs a slice. */
const SLOTS = 1024;
/** Longer names are not kept: they are rare and comparing them would cost more than it saves. */
const MAX_CACHED_BYTES = 64;

export class FieldNameCache {
  readonly #slots: Array<FieldName | undefined> = new Array<FieldName | undefined>(SLOTS).fill(undefined);

  /** The name held in `buf[start, end)` (end > start), decoded as latin1 (names are ASCII). */
  get(buf: Buffer, start: number, end: number): FieldName {
    const length = end - start;
    if (length > MAX_CACHED_BYTES) return makeName(buf, start, end);
    // A hash of the length and three bytes: cheap, and enough to tell journald's names apart.
    const slot = (((length * 31 + buf[start]!) * 31 + buf[end - 1]!) * 31 + buf[start + (length >> 1)]!) & (SLOTS - 1);
    const cached = this.#slots[slot];
    if (cached !== undefined && cached.bytes.length === length) {
      const bytes = cached.bytes;
      let i = 0;
      while (i < length && bytes[i] === buf[start + i]) i++;
      if (i === length) return cached;
    }
    const made = makeName(buf, start, end);
    this.#slots[slot] = made;
    return made;
  }
}

function makeName(buf: Buffer, start: number, end: number): FieldName {
  // Using the string once as a property key interns it; Object.keys hands back the interned copy.
  const name = Object.keys({ [buf.toString('latin1', start, end)]: 0 })[0]!;
  return { name, prefix: `${name}=`, bytes: new Uint8Array(buf.subarray(start, end)) };
}
