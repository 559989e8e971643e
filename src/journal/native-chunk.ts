// NativeChunk: entries as the native reader's worker hands them over (their bytes copied into one buffer, with
// a layout of offsets), and ChunkDecoder, which turns a chunk into the same JournalEntry values as ExportParser.

import { isAscii } from 'node:buffer';
import { JournalError } from '../model/errors.ts';
import type { FieldValue, JournalEntry } from '../model/journal-entry.ts';
import { FieldNameCache, type FieldName } from './field-names.ts';
import { decodeFieldValue } from './field-value.ts';

/**
 * A run of entries. `bytes` holds, for each entry, its cursor (as sd_journal_get_cursor() gives it) and then
 * each of its fields as `NAME=value` (as sd_journal_enumerate_data() gives them), back to back. `layout`
 * holds, for each entry, its field count, the end offset of its cursor, and the end offset of each field.
 */
export interface NativeChunk {
  count: number;
  bytes: Uint8Array;
  layout: Int32Array;
}

const UNDERSCORE = 0x5f;

/** Buffer's own latin1 slicer: Buffer#toString adds argument checks that measured 0.2-0.5 us a call here. */
type Latin1Buffer = Buffer & { latin1Slice(start: number, end: number): string };
/** Finds the next non-ASCII byte in a latin1 copy of the chunk; sticky state lives in lastIndex. */
const HIGH_BYTE = /[\x80-\xff]/g;

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
export class ChunkDecoder {
  readonly #names = new FieldNameCache();
  /** Name of the k-th field of the last entry: entries of one source list the same names in the same order. */
  readonly #predicted: FieldName[] = [];
  #nextSeq: number;
  #lastBootId = '';

  constructor(firstSeq = 1) {
    this.#nextSeq = firstSeq;
  }

  get nextSeq(): number {
    return this.#nextSeq;
  }

  /** Appends the chunk's entries to `out`. */
  decode(chunk: NativeChunk, out: JournalEntry[]): void {
    const buf = Buffer.from(chunk.bytes.buffer, chunk.bytes.byteOffset, chunk.bytes.byteLength) as Latin1Buffer;
    const layout = chunk.layout;
    const s = buf.latin1Slice(0, buf.length);
    // Offset of the first byte >= 0x80 at or after the last value checked.
    let nextHigh = isAscii(buf) ? Number.POSITIVE_INFINITY : -1;
    let pos = 0;
    let li = 0;
    for (let e = 0; e < chunk.count; e++) {
      const fieldCount = layout[li++]!;
      const cursorEnd = layout[li++]!;
      // A fresh string: cursors outlive the chunk in acknowledgement trackers, a slice would keep it alive.
      const cursor = buf.latin1Slice(pos, cursorEnd);
      pos = cursorEnd;
      const fields = Object.create(null) as Record<string, FieldValue | FieldValue[]>;
      for (let k = 0; k < fieldCount; k++) {
        const end = layout[li++]!;
        const start = pos;
        pos = end;
        const predicted = this.#predicted[k];
        let name: string;
        let valueStart: number;
        if (predicted !== undefined && start + predicted.prefix.length <= end && s.startsWith(predicted.prefix, start)) {
          name = predicted.name;
          valueStart = start + predicted.prefix.length;
        } else {
          const eq = s.indexOf('=', start);
          // libsystemd stores every field as NAME=value; a data object without "=" (a damaged file) has no name.
          if (eq === -1 || eq >= end || eq === start) continue;
          const fieldName = this.#names.get(buf, start, eq);
          this.#predicted[k] = fieldName;
          name = fieldName.name;
          valueStart = eq + 1;
        }
        if (name.charCodeAt(0) === UNDERSCORE && (name.charCodeAt(1) === UNDERSCORE || name === '_BOOT_ID')) continue;
        if (nextHigh < valueStart) {
          HIGH_BYTE.lastIndex = valueStart;
          nextHigh = HIGH_BYTE.exec(s) === null ? Number.POSITIVE_INFINITY : HIGH_BYTE.lastIndex - 1;
        }
        const value = nextHigh < end ? decodeFieldValue(buf, valueStart, end) : s.slice(valueStart, end);
        const previous = fields[name];
        if (previous === undefined) fields[name] = value;
        else if (Array.isArray(previous)) previous.push(value);
        else fields[name] = [previous, value];
      }
      const { realtimeUs, monotonicUs, bootId } = this.#fromCursor(cursor);
      out.push({ seq: this.#nextSeq++, cursor, realtimeUs, monotonicUs, bootId, fields });
    }
  }

  /**
   * The entry's timestamps and boot id, read from its cursor: sd_journal_get_cursor() writes the entry header's
   * `s=seqnum_id;i=seqnum;b=boot_id;m=monotonic;t=realtime;x=xor_hash` (hex; systemd sd-journal.c, unchanged
   * since 2012), the same header fields sd_journal_get_realtime_usec() and sd_journal_get_monotonic_usec()
   * return, so two calls per entry are spared.
   */
  #fromCursor(cursor: string): { realtimeUs: number; monotonicUs: number; bootId: string } {
    const b = cursor.indexOf(';b=');
    const m = cursor.indexOf(';m=', b);
    const t = cursor.indexOf(';t=', m);
    const x = cursor.indexOf(';x=', t);
    if (b === -1 || m === -1 || t === -1 || x === -1) throw new JournalError('ERR_NATIVE_CURSOR', `libsystemd returned a cursor of an unknown format: ${cursor}; set journal.reader: journalctl and report this`);
    let bootId = cursor.slice(b + 3, m);
    if (bootId === this.#lastBootId) bootId = this.#lastBootId;
    else this.#lastBootId = bootId;
    return { realtimeUs: parseInt(cursor.slice(t + 3, x), 16), monotonicUs: parseInt(cursor.slice(m + 3, t), 16), bootId };
  }
}
