// ExportParser: turns the bytes of `journalctl --output=export` into JournalEntry objects, whatever the
// chunking. It is the daemon's hottest path: it scans whole chunks, makes few calls into C++ per field,
// and copies only the partial unit (line, length or binary value) left at the end of a chunk.

import { isAscii } from 'node:buffer';
import { JournalError } from '../model/errors.ts';
import type { FieldValue, JournalEntry } from '../model/journal-entry.ts';
import { FieldNameCache, type FieldName } from './field-names.ts';
import { decodeFieldValue } from './field-value.ts';

/**
 * Default cap on the bytes of one exported entry: journald's own cap on one field, DATA_SIZE_MAX =
 * 768 MiB (systemd src/shared/journal-importer.h). It bounds what the parser buffers for one entry.
 */
export const DEFAULT_MAX_ENTRY_BYTES = 768 * 1024 * 1024;

/**
 * Longest name accepted for a binary-form field. journald accepts names of at most 64 bytes (systemd
 * `journal_field_valid`); this leaves room while still catching a stray line that would otherwise be
 * read as a field name followed by a length.
 */
const MAX_BINARY_NAME_BYTES = 256;

/**
 * Bytes copied into one latin1 string for scanning. A pipe delivers at most 64 KiB at a time, so a chunk
 * is one window; the cap only matters when a caller pushes a huge buffer or a field line is huge.
 */
const WINDOW_BYTES = 1024 * 1024;

/** The stream is not export format: a line, length, terminator or timestamp is malformed. */
export const ERR_EXPORT_MALFORMED = 'ERR_EXPORT_MALFORMED';
/** The stream ended inside a field (end() was called mid-field). */
export const ERR_EXPORT_TRUNCATED = 'ERR_EXPORT_TRUNCATED';
/** One entry is larger than `maxEntryBytes`. */
export const ERR_EXPORT_ENTRY_TOO_LARGE = 'ERR_EXPORT_ENTRY_TOO_LARGE';
/** An entry has no `__CURSOR`, so it could never be acknowledged. */
export const ERR_EXPORT_MISSING_CURSOR = 'ERR_EXPORT_MISSING_CURSOR';
/** An entry has no `__REALTIME_TIMESTAMP`, so it has no time. */
export const ERR_EXPORT_MISSING_TIMESTAMP = 'ERR_EXPORT_MISSING_TIMESTAMP';
/** push() or end() was called after end(). */
export const ERR_EXPORT_ENDED = 'ERR_EXPORT_ENDED';

export interface ExportParserOptions {
  /** `seq` of the first entry; each later entry gets one more. Default 1. */
  firstSeq?: number;
  /** Largest entry accepted, in export-format bytes. Default DEFAULT_MAX_ENTRY_BYTES. */
  maxEntryBytes?: number;
}

// What the parser waits for next. Plain numbers: enums are not erasable TypeScript.
const LINE = 0; // a field line `NAME=value\n`, a binary field's `NAME\n`, or the blank line ending an entry
const LENGTH = 1; // the 64-bit little-endian length of a binary field
const DATA = 2; // a binary field's bytes and the `\n` after them

const NEWLINE = 0x0a;
const EQUALS = 0x3d;
const UNDERSCORE = 0x5f;
/** Finds the next non-ASCII byte in a latin1 window; sticky state lives in lastIndex. */
const HIGH_BYTE = /[\x80-\xff]/g;

const HINT = 'the input is not `journalctl --output=export` data or was cut; check the journalctl command';

/**
 * Parses an export-format byte stream pushed in chunks of any size; calls onEntry for each entry.
 *
 * `entry.fields` is a null-prototype object (measured 20% faster to build and read than `{}` here; it also
 * cannot confuse a field name with an Object.prototype member): compare it with `{ __proto__: null, ... }`
 * or a spread copy in deepStrictEqual. A text value may share memory with the latin1 copy of its chunk
 * (V8 slices strings); a value kept for long as a Map key is best copied.
 */
export class ExportParser {
  readonly #onEntry: (entry: JournalEntry) => void;
  readonly #maxEntryBytes: number;
  #nextSeq: number;
  readonly #names = new FieldNameCache();
  /**
   * The name of the k-th field of the last entry that had one: entries from one source list the same
   * names in the same order, so one startsWith of its `NAME=` both recognizes the name and finds the `=`.
   * (Guessing instead the name that last followed the previous one measured no better on a mix of
   * Docker and sshd entries.)
   */
  readonly #predicted: FieldName[] = [];

  #state = LINE;
  /** Bytes of the unit in progress that the last chunks ended with (copies, never the caller's buffers). */
  #tail: Buffer[] = [];
  #tailBytes = 0;
  /** Stream offset of the first tail byte. */
  #tailStart = 0;
  /** Stream offset just past the last byte pushed. */
  #offset = 0;

  // The entry in progress; #fields is null between entries.
  #fields: Record<string, FieldValue | FieldValue[]> | null = null;
  #fieldIndex = 0;
  #entryStart = 0;
  #cursor: string | undefined = undefined;
  #realtimeUs = -1;
  #monotonicUs = 0;
  #bootId = '';

  // The binary field in progress.
  #binaryName = '';
  #binaryStart = 0;
  #binaryLength = 0;

  #ended = false;
  #failure: unknown = undefined;

  constructor(onEntry: (entry: JournalEntry) => void, options: ExportParserOptions = {}) {
    this.#onEntry = onEntry;
    this.#nextSeq = options.firstSeq ?? 1;
    this.#maxEntryBytes = options.maxEntryBytes ?? DEFAULT_MAX_ENTRY_BYTES;
    if (!Number.isSafeInteger(this.#nextSeq)) throw new RangeError(`ExportParser: firstSeq must be a safe integer, got ${this.#nextSeq}`);
    if (!(this.#maxEntryBytes > 0)) throw new RangeError(`ExportParser: maxEntryBytes must be positive, got ${this.#maxEntryBytes}`);
  }

  /** Bytes held back from earlier chunks because they end in the middle of a line or binary field. */
  get bufferedBytes(): number {
    return this.#tailBytes;
  }

  /**
   * Parses `chunk`, calling onEntry synchronously for each entry it completes. The parser keeps no
   * reference to `chunk` afterwards. After a throw (malformed data, or onEntry threw) the parser is
   * unusable: every later call throws the same error.
   */
  push(chunk: Buffer): void {
    this.#checkUsable();
    const chunkStart = this.#offset;
    this.#offset += chunk.length;
    try {
      let p = 0;
      if (this.#tailBytes > 0) {
        const needed = this.#bytesToCompleteUnit(chunk);
        if (needed === -1) {
          this.#keep(chunk, 0, chunkStart);
          return;
        }
        // One copy of the unit in progress, then the rest of the chunk is parsed in place.
        this.#tail.push(chunk.subarray(0, needed));
        const unit = Buffer.concat(this.#tail, this.#tailBytes + needed);
        const unitStart = this.#tailStart;
        this.#tail = [];
        this.#tailBytes = 0;
        this.#parse(unit, 0, unitStart);
        p = needed;
      }
      const stop = this.#parse(chunk, p, chunkStart);
      if (stop < chunk.length) this.#keep(chunk, stop, chunkStart + stop);
    } catch (err) {
      this.#failure = err;
      throw err;
    }
  }

  /**
   * The stream ended: emits an entry that was complete but not followed by a blank line, and throws
   * ERR_EXPORT_TRUNCATED if the stream ended inside a field.
   */
  end(): void {
    this.#checkUsable();
    this.#ended = true;
    try {
      if (this.#tailBytes > 0 || this.#state !== LINE) {
        const inLine = this.#state === LINE;
        const what = inLine ? 'a field line' : `the ${this.#state === LENGTH ? 'length' : 'value'} of binary field ${this.#binaryName}`;
        throw new JournalError(
          ERR_EXPORT_TRUNCATED,
          `journal export stream ended at byte offset ${this.#offset} inside ${what} that started at byte offset ${inLine ? this.#tailStart : this.#binaryStart}; journalctl probably exited mid-entry: check its exit status and stderr`,
        );
      }
      if (this.#fields !== null) this.#finishEntry();
    } catch (err) {
      this.#failure = err;
      throw err;
    }
  }

  #checkUsable(): void {
    if (this.#failure !== undefined) throw this.#failure;
    if (this.#ended) throw new JournalError(ERR_EXPORT_ENDED, 'journal export parser: push() or end() called after end(); create a new ExportParser for a new stream');
  }

  /** How many bytes of `chunk` complete the unit held in the tail, or -1 when the chunk does not. */
  #bytesToCompleteUnit(chunk: Buffer): number {
    let needed: number;
    if (this.#state === LINE) {
      const nl = chunk.indexOf(NEWLINE);
      return nl === -1 ? -1 : nl + 1;
    } else if (this.#state === LENGTH) {
      needed = 8 - this.#tailBytes;
    } else {
      needed = this.#binaryLength + 1 - this.#tailBytes;
    }
    return chunk.length >= needed ? needed : -1;
  }

  /** Copies `chunk[from..]` into the tail; `at` is its stream offset. */
  #keep(chunk: Buffer, from: number, at: number): void {
    if (this.#tailBytes === 0) this.#tailStart = at;
    this.#tail.push(Buffer.copyBytesFrom(chunk, from));
    this.#tailBytes += chunk.length - from;
    // A binary value's size was checked against the cap when its length was read; a line has no length,
    // so its growth is what must be bounded here.
    if (this.#state === LINE) {
      const start = this.#fields === null ? this.#tailStart : this.#entryStart;
      if (this.#offset - start > this.#maxEntryBytes) throw this.#tooLarge(start, this.#offset - start);
    }
  }

  /**
   * Parses whole units of `buf` from `p`; `base` is the stream offset of buf[0]. Returns where the first
   * incomplete unit starts (buf.length when none is).
   *
   * Lines are scanned in a latin1 copy of the bytes (a "window"), whose offsets are the byte offsets.
   * Measured here: String indexOf/startsWith/slice on it are about 3x faster than Buffer.indexOf plus one
   * utf8Slice per value, each a call into C++. A value is sliced from the window when it is ASCII, and
   * decoded from the bytes otherwise.
   */
  #parse(buf: Buffer, p: number, base: number): number {
    const len = buf.length;
    let s = ''; // latin1 copy of buf[sOff, sEnd)
    let sOff = 0;
    let sEnd = 0;
    // Offset of the first byte >= 0x80 at or after the last value start checked; -1: not searched yet.
    let nextHigh = 0;
    while (p < len) {
      if (this.#state === LINE) {
        if (p >= sEnd) {
          sOff = p;
          sEnd = Math.min(len, p + WINDOW_BYTES);
          s = buf.toString('latin1', sOff, sEnd);
          nextHigh = isAscii(buf.subarray(sOff, sEnd)) ? Number.POSITIVE_INFINITY : -1;
        }
        let nl = s.indexOf('\n', p - sOff);
        if (nl === -1) {
          if (sEnd === len) return p;
          // The line crosses the window's end: take a new window from it, or the bytes if it is huge.
          const bufNl = buf.indexOf(NEWLINE, sEnd);
          if (bufNl === -1) return p;
          if (bufNl - p < WINDOW_BYTES) {
            sEnd = p;
          } else {
            this.#lineFromBytes(buf, p, bufNl, base);
            p = bufNl + 1;
          }
          continue;
        }
        nl += sOff;
        if (nl === p) {
          // journalctl ends every entry with a blank line; a blank line outside an entry is harmless.
          if (this.#fields !== null) this.#finishEntry();
          p = nl + 1;
          continue;
        }
        this.#beginLine(base + p, base + nl);
        const k = this.#fieldIndex++;
        const predicted = this.#predicted[k];
        let name: string;
        let valueStart: number;
        if (predicted !== undefined && s.startsWith(predicted.prefix, p - sOff)) {
          name = predicted.name;
          valueStart = p + predicted.prefix.length;
        } else {
          const eq = s.indexOf('=', p - sOff) + sOff;
          if (eq < sOff || eq > nl) {
            this.#beginBinaryField(buf, p, nl, base);
            p = nl + 1;
            continue;
          }
          if (eq === p) throw this.#malformed(base + p, 'a field line with an empty name');
          const fieldName = this.#names.get(buf, p, eq);
          this.#predicted[k] = fieldName;
          name = fieldName.name;
          valueStart = eq + 1;
        }
        if (nextHigh < valueStart) {
          HIGH_BYTE.lastIndex = valueStart - sOff;
          nextHigh = HIGH_BYTE.exec(s) === null ? Number.POSITIVE_INFINITY : HIGH_BYTE.lastIndex - 1 + sOff;
        }
        const value = nextHigh < nl ? decodeFieldValue(buf, valueStart, nl) : s.slice(valueStart - sOff, nl - sOff);
        this.#addField(name, value, buf, valueStart, nl, base + p);
        p = nl + 1;
      } else if (this.#state === LENGTH) {
        if (len - p < 8) return p;
        const length = buf.readUInt32LE(p) + buf.readUInt32LE(p + 4) * 0x1_0000_0000;
        const entryBytes = base + p + 8 + length + 1 - this.#entryStart;
        if (entryBytes > this.#maxEntryBytes) {
          throw new JournalError(
            ERR_EXPORT_ENTRY_TOO_LARGE,
            `journal export stream: binary field ${this.#binaryName} at byte offset ${this.#binaryStart} declares a length of ${length} bytes, which makes its entry (started at byte offset ${this.#entryStart}) larger than maxEntryBytes (${this.#maxEntryBytes}); ${HINT}, or raise maxEntryBytes`,
          );
        }
        this.#binaryLength = length;
        this.#state = DATA;
        p += 8;
      } else {
        const end = p + this.#binaryLength;
        if (end >= len) return p;
        if (buf[end] !== NEWLINE) {
          throw this.#malformed(
            base + end,
            `a byte other than the newline that must follow the ${this.#binaryLength}-byte value of binary field ${this.#binaryName} (field at byte offset ${this.#binaryStart})`,
          );
        }
        this.#addField(this.#binaryName, decodeFieldValue(buf, p, end), buf, p, end, this.#binaryStart);
        this.#state = LINE;
        p = end + 1;
      }
    }
    return p;
  }

  /** A non-blank line `buf[p, nl)` too long for a window: handled on the bytes alone. */
  #lineFromBytes(buf: Buffer, p: number, nl: number, base: number): void {
    this.#beginLine(base + p, base + nl);
    this.#fieldIndex++;
    const eq = buf.indexOf(EQUALS, p);
    if (eq === -1 || eq > nl) {
      this.#beginBinaryField(buf, p, nl, base);
      return;
    }
    if (eq === p) throw this.#malformed(base + p, 'a field line with an empty name');
    this.#addField(this.#names.get(buf, p, eq).name, decodeFieldValue(buf, eq + 1, nl), buf, eq + 1, nl, base + p);
  }

  /** A field line spans stream offsets [at, nl]: starts an entry, or checks the entry's size. */
  #beginLine(at: number, nl: number): void {
    if (this.#fields === null) {
      this.#fields = Object.create(null) as Record<string, FieldValue | FieldValue[]>;
      this.#entryStart = at;
      this.#fieldIndex = 0;
      this.#cursor = undefined;
      this.#realtimeUs = -1;
      this.#monotonicUs = 0;
      this.#bootId = '';
    } else if (nl + 1 - this.#entryStart > this.#maxEntryBytes) {
      throw this.#tooLarge(this.#entryStart, nl + 1 - this.#entryStart);
    }
  }

  /** A line `buf[p, nl)` without `=`: the name of a binary field, whose length and value follow. */
  #beginBinaryField(buf: Buffer, p: number, nl: number, base: number): void {
    // Validated here (binary fields are rare) because a stray line read as a name would make the next
    // 8 bytes a length, and the error would then point at the wrong place.
    if (nl - p > MAX_BINARY_NAME_BYTES) {
      throw this.#malformed(base + p, `a ${nl - p}-byte line without "=" (neither NAME=value nor a binary field name)`);
    }
    for (let i = p; i < nl; i++) {
      const c = buf[i]!;
      const nameByte = (c >= 0x41 && c <= 0x5a) || (c >= 0x61 && c <= 0x7a) || (c >= 0x30 && c <= 0x39) || c === UNDERSCORE;
      if (!nameByte) {
        throw this.#malformed(base + p, `a line without "=" that is not a binary field name (byte 0x${c.toString(16).padStart(2, '0')} at byte offset ${base + i})`);
      }
    }
    this.#binaryName = this.#names.get(buf, p, nl).name;
    this.#binaryStart = base + p;
    this.#state = LENGTH;
  }

  /**
   * Adds field `name` with `value`, the decoded `buf[start, end)`; `at` is the field's stream offset, for
   * errors. Address fields are lifted into the entry instead.
   */
  #addField(name: string, value: FieldValue, buf: Buffer, start: number, end: number, at: number): void {
    if (name.charCodeAt(0) === UNDERSCORE) {
      if (name.charCodeAt(1) === UNDERSCORE) {
        // Other `__` fields (__SEQNUM, __SEQNUM_ID, ones added later) are about the journal file, not
        // the log, and are dropped as the format doc advises.
        // A copy, not a slice of the chunk's scan string: cursors live on in checkpoint trackers long after
        // the chunk, and a slice would keep all 64 KiB of it alive (measured: RSS grew with pending entries).
        if (name === '__CURSOR') this.#cursor = (this.#addressText(value, at, name), buf.toString('latin1', start, end));
        else if (name === '__REALTIME_TIMESTAMP') this.#realtimeUs = parseMicroseconds(buf, start, end, at, name);
        else if (name === '__MONOTONIC_TIMESTAMP') this.#monotonicUs = parseMicroseconds(buf, start, end, at, name);
        return;
      }
      if (name === '_BOOT_ID') {
        this.#bootId = (this.#addressText(value, at, name), buf.toString('latin1', start, end));
        return;
      }
    }
    const fields = this.#fields!;
    const previous = fields[name];
    if (previous === undefined) fields[name] = value;
    else if (Array.isArray(previous)) previous.push(value);
    else fields[name] = [previous, value];
  }

  #addressText(value: FieldValue, at: number, name: string): string {
    if (typeof value === 'string') return value;
    throw this.#malformed(at, `field ${name} that is not valid UTF-8`);
  }

  #finishEntry(): void {
    if (this.#cursor === undefined) {
      throw new JournalError(
        ERR_EXPORT_MISSING_CURSOR,
        `journal export stream: the entry at byte offset ${this.#entryStart} has no __CURSOR field, so it could not be acknowledged; ${HINT} (entries must be read from journal files)`,
      );
    }
    if (this.#realtimeUs < 0) {
      throw new JournalError(
        ERR_EXPORT_MISSING_TIMESTAMP,
        `journal export stream: the entry at byte offset ${this.#entryStart} (cursor ${this.#cursor}) has no __REALTIME_TIMESTAMP field; ${HINT}`,
      );
    }
    const entry: JournalEntry = {
      seq: this.#nextSeq++,
      cursor: this.#cursor,
      realtimeUs: this.#realtimeUs,
      monotonicUs: this.#monotonicUs,
      bootId: this.#bootId,
      fields: this.#fields!,
    };
    this.#fields = null;
    this.#onEntry(entry);
  }

  #malformed(at: number, what: string): JournalError {
    return new JournalError(ERR_EXPORT_MALFORMED, `journal export stream: ${what} at byte offset ${at}; ${HINT}`);
  }

  #tooLarge(start: number, bytes: number): JournalError {
    return new JournalError(
      ERR_EXPORT_ENTRY_TOO_LARGE,
      `journal export stream: the entry at byte offset ${start} has reached ${bytes} bytes, more than maxEntryBytes (${this.#maxEntryBytes}); ${HINT}, or raise maxEntryBytes`,
    );
  }
}

/** A decimal count of microseconds, as journalctl prints the timestamps; exact up to 2^53. */
function parseMicroseconds(buf: Buffer, start: number, end: number, at: number, name: string): number {
  let n = 0;
  for (let i = start; i < end; i++) {
    const d = buf[i]! - 0x30;
    if (d < 0 || d > 9) n = Number.NaN;
    n = n * 10 + d;
  }
  if (end === start || !Number.isSafeInteger(n)) {
    throw new JournalError(
      ERR_EXPORT_MALFORMED,
      `journal export stream: field ${name} at byte offset ${at} is ${JSON.stringify(buf.toString('latin1', start, Math.min(end, start + 40)))}, not a decimal number of microseconds; ${HINT}`,
    );
  }
  return n;
}
