// Decodes one journal field value: a string when the bytes are valid UTF-8, else a copy of the bytes.

import { constants as bufferConstants, isUtf8 } from 'node:buffer';
import type { FieldValue } from '../model/journal-entry.ts';

/**
 * Longest value decoded to a string. V8 cannot hold a longer string (buffer.constants.MAX_STRING_LENGTH,
 * about 512 Mi UTF-16 units), and one UTF-8 byte never decodes to more than one unit, so any value of at
 * most this many bytes fits. Longer values (journald allows 768 MiB) stay bytes even when valid UTF-8.
 */
export const MAX_STRING_VALUE_BYTES = bufferConstants.MAX_STRING_LENGTH;

/**
 * The value held in `buf[start, end)`. The result never aliases `buf`: the caller's buffer may be reused.
 *
 * Validity is checked without a second pass in the common case: decoding turns every invalid sequence
 * into U+FFFD, so a decoded string without U+FFFD came from valid UTF-8 (and V8 answers that search at
 * once for an all-ASCII string, which cannot hold U+FFFD). Only a string that does hold U+FFFD, a real
 * one or a replacement, pays for `isUtf8` over the bytes.
 */
export function decodeFieldValue(buf: Buffer, start: number, end: number): FieldValue {
  if (end - start > MAX_STRING_VALUE_BYTES) return copyBytes(buf, start, end);
  const text = buf.toString('utf8', start, end);
  if (text.indexOf('\uFFFD') === -1 || isUtf8(buf.subarray(start, end))) return text;
  return copyBytes(buf, start, end);
}

/** A plain Uint8Array copy of `buf[start, end)` (not a Buffer view, which would pin the whole chunk). */
export function copyBytes(buf: Buffer, start: number, end: number): Uint8Array {
  return new Uint8Array(buf.subarray(start, end));
}
