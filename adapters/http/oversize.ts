// Fitting a JSON event under a provider's per-event byte limit: split the message into marked parts, or truncate it with a marker.

export type OversizeMode = 'split' | 'truncate';

/**
 * Serializes one event around the given message text. With `withFields` false the record's parsed fields are
 * left out (they travel in the first part, or in the message text when they alone are too large).
 */
export type EventBuilder = (message: string, withFields: boolean) => string;

/** The longest marker, to reserve room before the part count is known. */
const PART_MARKER_RESERVE = ' [journal-fanout part 9999999/9999999]'.length;
const TRUNCATED_MARKER_RESERVE = ' [journal-fanout truncated 999999999999 bytes]'.length;

/** Bytes one UTF-16 code unit (or pair) takes inside a JSON string, and how many code units it spans. */
function jsonCharBytes(text: string, i: number): [bytes: number, units: number] {
  const c = text.charCodeAt(i);
  if (c < 0x80) {
    if (c === 0x22 || c === 0x5c) return [2, 1]; // \" and \\
    if (c < 0x20) return c === 0x08 || c === 0x09 || c === 0x0a || c === 0x0c || c === 0x0d ? [2, 1] : [6, 1];
    return [1, 1];
  }
  if (c < 0x800) return [2, 1];
  if (c >= 0xd800 && c <= 0xdbff) {
    const next = text.charCodeAt(i + 1);
    if (next >= 0xdc00 && next <= 0xdfff) return [4, 2];
    return [6, 1]; // a lone surrogate: JSON.stringify writes \udxxx
  }
  if (c >= 0xdc00 && c <= 0xdfff) return [6, 1];
  return [3, 1];
}

/** End index of the longest prefix of text[start..] whose JSON-escaped form fits in `budget` bytes (at least one character). */
export function jsonPrefixEnd(text: string, start: number, budget: number): number {
  let i = start;
  let used = 0;
  while (i < text.length) {
    const [bytes, units] = jsonCharBytes(text, i);
    if (used + bytes > budget && i > start) break;
    used += bytes;
    i += units;
  }
  return i;
}

/**
 * The record's event(s), each at most `maxBytes` serialized UTF-8 bytes. Fits as is in the common case (one
 * JSON.stringify); otherwise the message is split into parts marked "[journal-fanout part i/n]" or cut and
 * marked "[journal-fanout truncated N bytes]". Fields too large to ride along are moved into the message text,
 * so that nothing is dropped silently; `fieldsJson` null means the event carries no fields (a text message).
 */
export function fitEvent(message: string, fieldsJson: (() => string) | null, build: EventBuilder, maxBytes: number, mode: OversizeMode): string[] {
  const whole = build(message, true);
  if (whole.length <= maxBytes / 3 || Buffer.byteLength(whole) <= maxBytes) return [whole];

  let text = message;
  let withFields = true;
  if (fieldsJson !== null && Buffer.byteLength(build('', true)) > maxBytes / 2) {
    withFields = false;
    text = `${message}\n[journal-fanout fields] ${fieldsJson()}`;
  }
  const firstOverhead = Buffer.byteLength(build('', withFields));

  if (mode === 'truncate') {
    const end = jsonPrefixEnd(text, 0, maxBytes - firstOverhead - TRUNCATED_MARKER_RESERVE);
    const dropped = Buffer.byteLength(text.slice(end));
    return [build(`${text.slice(0, end)} [journal-fanout truncated ${dropped} bytes]`, withFields)];
  }

  const restOverhead = withFields ? Buffer.byteLength(build('', false)) : firstOverhead;
  const chunks: string[] = [];
  let start = 0;
  while (start < text.length) {
    const overhead = chunks.length === 0 ? firstOverhead : restOverhead;
    const end = jsonPrefixEnd(text, start, maxBytes - overhead - PART_MARKER_RESERVE);
    chunks.push(text.slice(start, end));
    start = end;
  }
  const n = chunks.length;
  return chunks.map((chunk, i) => build(`${chunk} [journal-fanout part ${i + 1}/${n}]`, withFields && i === 0));
}
