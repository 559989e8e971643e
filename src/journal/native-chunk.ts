// NativeChunk: entries as the native reader's worker hands them over (their bytes copied into one buffer, with
// a layout of offsets), and ChunkDecoder, which turns a chunk into the same JournalEntry values as ExportParser.

import { isAscii } from 'node:buffer';
import { JournalError } from '../model/errors.ts';
import type { FieldValue, JournalEntry } from '../model/journal-entry.ts';
import { FieldNameCache, type FieldName } from './field-names.ts';
import { decodeFieldValue } from './field-value.ts';

/**
 * A run of entries. `cursors` holds their cursors (as sd_journal_get_cursor() gives them) back to back;
 * `bytes` their fields as `NAME=value` (as sd_journal_enumerate_data() gives them), back to back. `layout`
 * holds, for each entry, its field count, the end offset of its cursor in `cursors`, and the end offset of
 * each of its fields in `bytes`.
 */
export interface NativeChunk {
  count: number;
  cursors: Uint8Array;
  bytes: Uint8Array;
  layout: Int32Array;
}

const UNDERSCORE = 0x5f;
/** Distinct field names remembered; a journal has a few hundred, a flood of made-up names is cut off here. */
const MAX_KNOWN_NAMES = 4096;

/** Buffer's own latin1 slicer: Buffer#toString adds argument checks that measured 0.2-0.5 us a call here. */
type Latin1Buffer = Buffer & { latin1Slice(start: number, end: number): string };
/** Finds the next non-ASCII byte in a latin1 copy of the chunk; sticky state lives in lastIndex. */
const HIGH_BYTE = /[\x80-\xff]/g;
/**
 * The chunk is read as latin1 strings of about this many bytes (whole entries each), not one string: V8 puts
 * a string over 128 KiB in its large-object space (a fresh mapping each, and old-generation pressure), and the
 * worker's 128 KiB chunks always end just past that. Main-thread CPU of bench/reader-alone.ts over 300,000 of
 * the bench's entries, alternating runs: one string a chunk 6.9-7.2 s/M, 64 KiB strings 3.2-3.5 (the
 * latin1Slice of the whole chunk had been 42% of the main thread's samples).
 */
const SEGMENT_BYTES = 64 * 1024;

/**
 * Decodes chunks into JournalEntry values identical to what ExportParser makes of `journalctl -o export`
 * for the same entries: journalctl prints the boot id from the entry header and skips the `_BOOT_ID` field
 * (systemd logs-show.c output_export), address fields (`__*`) are not fields, a value is a string when it
 * is valid UTF-8 and bytes otherwise, and a repeated field holds an array of its values in order.
 *
 * As in ExportParser, a chunk is scanned as one latin1 string and ASCII values are slices of it (measured
 * cheaper than one utf8Slice per value); such a value keeps the chunk's string alive while it lives, so
 * chunks are kept small (the worker's CHUNK_BYTES).
 */
/** A field name as the decoder uses it: one object per name, so that `stamp` can tell a repeat within an entry. */
interface KnownName {
  name: string;
  /** `NAME=`: recognizes the name with one startsWith, and gives where the value starts. */
  prefix: string;
  /**
   * Not handed on: address fields (`__*`), `_BOOT_ID` (the header's boot id is used), and fields outside the
   * decoder's `fields` when it was given some.
   */
  skip: boolean;
  /** Number of the last entry that had this field: a second value in the same entry makes an array. */
  stamp: number;
}

export class ChunkDecoder {
  readonly #names = new FieldNameCache();
  /** By name; cleared (between chunks) when a journal of made-up field names would make it grow for ever. */
  readonly #known = new Map<string, KnownName>();
  /** Name of the k-th field of the last entry: entries of one source list the same names in the same order. */
  readonly #predicted: KnownName[] = [];
  #stamp = 0;
  #nextSeq: number;
  #lastBootId = '';
  readonly #fields: ReadonlySet<string> | undefined;

  /** `fields`: the only fields to decode (ReaderOptions.fields); unset, every field. */
  constructor(firstSeq = 1, fields?: ReadonlySet<string>) {
    this.#nextSeq = firstSeq;
    this.#fields = fields;
  }

  get nextSeq(): number {
    return this.#nextSeq;
  }

  /** Appends the chunk's entries to `out`. */
  decode(chunk: NativeChunk, out: JournalEntry[]): void {
    const buf = Buffer.from(chunk.bytes.buffer, chunk.bytes.byteOffset, chunk.bytes.byteLength) as Latin1Buffer;
    const cursorBuf = Buffer.from(chunk.cursors.buffer, chunk.cursors.byteOffset, chunk.cursors.byteLength) as Latin1Buffer;
    const layout = chunk.layout;
    // s is buf[base, segmentEnd) as latin1; string offsets are buffer offsets minus base.
    let s = '';
    let base = 0;
    let segmentEnd = 0;
    // A cursor is a slice of this string: it keeps only the chunk's cursors alive (about 150 bytes an entry),
    // and spares a copy per entry (measured 0.6 us).
    const cs = cursorBuf.latin1Slice(0, cursorBuf.length);
    // Offset of the first byte >= 0x80 at or after the last value checked.
    let nextHigh = isAscii(buf) ? Number.POSITIVE_INFINITY : -1;
    if (this.#known.size > MAX_KNOWN_NAMES) {
      this.#known.clear();
      this.#predicted.length = 0;
    }
    const predictions = this.#predicted;
    let cursorPos = 0;
    let pos = 0;
    let li = 0;
    for (let e = 0; e < chunk.count; e++) {
      const fieldCount = layout[li++]!;
      const entryEnd = fieldCount > 0 ? layout[li + fieldCount]! : pos;
      if (entryEnd > segmentEnd) {
        base = pos;
        segmentEnd = Math.min(buf.length, Math.max(entryEnd, pos + SEGMENT_BYTES));
        s = buf.latin1Slice(base, segmentEnd);
        // Where the last string ended is no news about this one (unless the chunk is all ASCII).
        if (nextHigh !== Number.POSITIVE_INFINITY) nextHigh = -1;
      }
      const cursorStart = cursorPos;
      cursorPos = layout[li++]!;
      const stamp = ++this.#stamp;
      const fields = Object.create(null) as Record<string, FieldValue | FieldValue[]>;
      for (let k = 0; k < fieldCount; k++) {
        const end = layout[li++]!;
        const start = pos;
        pos = end;
        let known = predictions[k];
        if (known === undefined || start + known.prefix.length > end || !s.startsWith(known.prefix, start - base)) {
          const found = s.indexOf('=', start - base);
          const eq = found === -1 ? -1 : found + base;
          // libsystemd stores every field as NAME=value; a data object without "=" (a damaged file) has no name.
          if (eq === -1 || eq >= end || eq === start) continue;
          known = this.#knownName(this.#names.get(buf, start, eq));
          predictions[k] = known;
        }
        if (known.skip) continue;
        const valueStart = start + known.prefix.length;
        if (nextHigh < valueStart) {
          HIGH_BYTE.lastIndex = valueStart - base;
          // None in this string: none before its end (what follows is looked at in the next string).
          nextHigh = HIGH_BYTE.exec(s) === null ? segmentEnd : HIGH_BYTE.lastIndex - 1 + base;
        }
        const value = nextHigh < end ? decodeFieldValue(buf, valueStart, end) : s.slice(valueStart - base, end - base);
        if (known.stamp !== stamp) {
          known.stamp = stamp;
          fields[known.name] = value;
        } else {
          const previous = fields[known.name]!;
          if (Array.isArray(previous)) previous.push(value);
          else fields[known.name] = [previous, value];
        }
      }
      out.push(this.#entry(cs, cursorStart, cursorPos, fields));
    }
  }

  #knownName(fieldName: FieldName): KnownName {
    const name = fieldName.name;
    let known = this.#known.get(name);
    if (known === undefined) {
      const notAField = name.charCodeAt(0) === UNDERSCORE && (name.charCodeAt(1) === UNDERSCORE || name === '_BOOT_ID');
      known = { name, prefix: fieldName.prefix, skip: notAField || (this.#fields !== undefined && !this.#fields.has(name)), stamp: 0 };
      this.#known.set(name, known);
    }
    return known;
  }

  /**
   * The entry, its timestamps and boot id read from its cursor `cs[start, end)`: sd_journal_get_cursor() writes
   * the entry header's `s=seqnum_id;i=seqnum;b=boot_id;m=monotonic;t=realtime;x=xor_hash` (hex; systemd
   * sd-journal.c, unchanged since 2012), the same header fields sd_journal_get_realtime_usec() and
   * sd_journal_get_monotonic_usec() return, so two calls per entry are spared.
   */
  #entry(cs: string, start: number, end: number, fields: Record<string, FieldValue | FieldValue[]>): JournalEntry {
    const b = cs.indexOf(';b=', start);
    const m = cs.indexOf(';m=', b);
    const t = cs.indexOf(';t=', m);
    const x = cs.indexOf(';x=', t);
    const cursor = cs.slice(start, end);
    if (b === -1 || x === -1 || x >= end) {
      throw new JournalError('ERR_NATIVE_CURSOR', `libsystemd returned a cursor of an unknown format: ${cursor}; set journal.reader: journalctl and report this`);
    }
    let bootId = this.#lastBootId;
    if (!cs.startsWith(bootId, b + 3) || m - b - 3 !== bootId.length) bootId = this.#lastBootId = cs.slice(b + 3, m);
    return { seq: this.#nextSeq++, cursor, realtimeUs: hex(cs, t + 3, x), monotonicUs: hex(cs, m + 3, t), bootId, fields };
  }
}

/** The number written in hex in `s[start, end)` (at most 13 digits: exact). */
function hex(s: string, start: number, end: number): number {
  let n = 0;
  for (let i = start; i < end; i++) {
    const c = s.charCodeAt(i);
    n = n * 16 + (c <= 0x39 ? c - 0x30 : (c | 0x20) - 0x57);
  }
  return n;
}
