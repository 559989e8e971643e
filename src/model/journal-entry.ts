// JournalEntry: one entry of `journalctl -o export`, as the parser hands it on (DESIGN.md "Data model").

/** A field value: a string when the bytes are valid UTF-8, else the raw bytes. */
export type FieldValue = string | Uint8Array;

/**
 * One journal entry. `fields` holds every field except the `__`-prefixed address fields, which are lifted
 * into their own properties. A field that repeats within one entry holds an array of its values, in order.
 */
export interface JournalEntry {
  /** Position of the entry in this reader's output, counting from 1; used to track acknowledgements. */
  seq: number;
  cursor: string;
  /**
   * Microseconds since the epoch. A number, not a bigint: exact up to 2^53 us (year 2255) and measured
   * cheaper to parse and compare on the per-entry path.
   */
  realtimeUs: number;
  monotonicUs: number;
  bootId: string;
  fields: Record<string, FieldValue | FieldValue[]>;
}

const lossyDecoder = new TextDecoder('utf-8', { fatal: false });

/** The first value of a field as text (invalid UTF-8 replaced by U+FFFD), or undefined when absent. */
export function fieldText(entry: JournalEntry, name: string): string | undefined {
  const value = entry.fields[name];
  if (value === undefined) return undefined;
  const first = Array.isArray(value) ? value[0] : value;
  if (first === undefined) return undefined;
  return typeof first === 'string' ? first : lossyDecoder.decode(first);
}

/** Every value of a field as text, in order; [] when absent. */
export function fieldTexts(entry: JournalEntry, name: string): string[] {
  const value = entry.fields[name];
  if (value === undefined) return [];
  const values = Array.isArray(value) ? value : [value];
  return values.map((v) => (typeof v === 'string' ? v : lossyDecoder.decode(v)));
}
