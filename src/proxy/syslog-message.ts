// Parses one syslog message (RFC 5424, RFC 3164 and the variants Docker's syslog driver sends) from its bytes.
//
// What Docker sends (moby daemon/logger/syslog with github.com/RackSec/srslog; CONTENT is the container's line
// plus the "\n" srslog appends to every message):
//   syslog-format unset (srslog UnixFormatter):  <PRI>Mmm _d hh:mm:ss TAG[PID]: CONTENT
//   rfc3164 (RFC3164Formatter):                  <PRI>Mmm _d hh:mm:ss HOSTNAME TAG[PID]: CONTENT
//   rfc5424:                                     <PRI>1 2006-01-02T15:04:05Z07:00 HOSTNAME TAG PID TAG - CONTENT
//   rfc5424micro:                                <PRI>1 2006-01-02T15:04:05.000000Z07:00 HOSTNAME TAG PID TAG - CONTENT
// PRI is facility*8 + severity: severity 6 (info) for stdout, 3 (err) for stderr, facility daemon by default.
// The parser never fails: a message without a header is all content, with RFC 3164's default PRI 13.
// Header fields are found as offsets; only the tag is decoded up front (the proxy needs it for every message),
// the rest when asked (measured: decoding timestamp, PID and month names eagerly was a quarter of the proxy's
// JavaScript time per message). The content stays bytes (journald stores bytes, so invalid UTF-8 passes
// through as the container wrote it).

const LATIN1 = 'latin1';

/**
 * One parsed message. `content` is a view into the input; the header strings other than `tag` are decoded
 * from the input when first read, so read them while the input is valid (a listener reuses its buffer).
 */
export class SyslogMessage {
  /** 0 (emerg) to 7 (debug). */
  readonly severity: number;
  readonly facility: number;
  readonly format: 'rfc5424' | 'rfc3164' | 'none';
  /** RFC 3164 TAG, or RFC 5424 APP-NAME. */
  readonly tag: string | undefined;
  /** The message content: a view into the input, without the trailing "\n" (or RFC 5424 BOM). */
  readonly content: Buffer;
  readonly #input: Buffer;
  /** [from, to) offsets of timestamp, hostname, pid, structured data; from = -1 when absent. */
  readonly #spans: Int32Array;

  constructor(pri: number, format: 'rfc5424' | 'rfc3164' | 'none', tag: string | undefined, content: Buffer, input: Buffer, spans: Int32Array) {
    this.severity = pri & 7;
    this.facility = pri >> 3;
    this.format = format;
    this.tag = tag;
    this.content = content;
    this.#input = input;
    this.#spans = spans;
  }

  #span(k: number, encoding: BufferEncoding): string | undefined {
    const from = this.#spans[k * 2]!;
    return from < 0 ? undefined : this.#input.toString(encoding, from, this.#spans[k * 2 + 1]);
  }

  /** The timestamp as written, when there is one. */
  get timestamp(): string | undefined {
    return this.#span(0, LATIN1);
  }

  get hostname(): string | undefined {
    return this.#span(1, 'utf8');
  }

  get pid(): string | undefined {
    return this.#span(2, 'utf8');
  }

  /** RFC 5424 STRUCTURED-DATA as written, when not nil. */
  get structuredData(): string | undefined {
    return this.#span(3, 'utf8');
  }
}

/** RFC 3164 4.3.3: a relay gives a message without PRI the priority 13 (user.notice). */
const DEFAULT_PRI = 13;
const LT = 0x3c;
const GT = 0x3e;
const SP = 0x20;
const LF = 0x0a;
const COLON = 0x3a;
const LBRACKET = 0x5b;
const RBRACKET = 0x5d;
const DASH = 0x2d;
const QUOTE = 0x22;
const BACKSLASH = 0x5c;

/** Month names as 24-bit numbers of their three bytes, so a timestamp is recognized without making a string. */
const MONTHS = new Set(['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'].map((m) => (m.charCodeAt(0) << 16) | (m.charCodeAt(1) << 8) | m.charCodeAt(2)));

const isDigit = (c: number | undefined) => c !== undefined && c >= 0x30 && c <= 0x39;

/** Index of the next space at or after `from`, or `end` (a loop: header tokens are short, Buffer.indexOf's call costs more). */
function nextSpace(buf: Buffer, from: number, end: number): number {
  for (let i = from; i < end; i++) if (buf[i] === SP) return i;
  return end;
}

/** The tag as a string: ASCII (nearly always: an ID, a name) by char codes, else UTF-8. */
function tagText(buf: Buffer, from: number, to: number): string {
  let out = '';
  for (let i = from; i < to; i++) {
    const c = buf[i]!;
    if (c >= 0x80) return buf.toString('utf8', from, to);
    out += String.fromCharCode(c);
  }
  return out;
}

/** RFC 5424 NILVALUE ("-") and an empty field both mean "not given". */
const isNil = (buf: Buffer, from: number, to: number) => to <= from || (to === from + 1 && buf[from] === DASH);

export function parseSyslog(input: Buffer): SyslogMessage {
  let end = input.length;
  if (end > 0 && input[end - 1] === LF) end--;
  // PRI: "<" 1-3 digits ">", at most 191.
  let pri = -1;
  let start = 0;
  if (end >= 3 && input[0] === LT) {
    let value = 0;
    let i = 1;
    while (i < end && i <= 4 && isDigit(input[i])) value = value * 10 + input[i++]! - 0x30;
    if (i > 1 && i <= 4 && input[i] === GT && value <= 191) {
      pri = value;
      start = i + 1;
    }
  }
  if (pri < 0) return new SyslogMessage(DEFAULT_PRI, 'none', undefined, input.subarray(0, end), input, new Int32Array([-1, 0, -1, 0, -1, 0, -1, 0]));
  // RFC 5424: VERSION (1-3 digits, nonzero first) and a space right after the PRI.
  if (isDigit(input[start]) && input[start] !== 0x30) {
    let i = start;
    while (i < end && i < start + 3 && isDigit(input[i])) i++;
    if (input[i] === SP) return parse5424(input, i + 1, end, pri);
  }
  return parse3164(input, start, end, pri);
}

function parse5424(buf: Buffer, from: number, end: number, pri: number): SyslogMessage {
  // TIMESTAMP SP HOSTNAME SP APP-NAME SP PROCID SP MSGID SP STRUCTURED-DATA [SP MSG]; a field may be empty
  // (srslog writes an empty HOSTNAME when it cannot name the host), so fields are split on single spaces.
  const bounds = new Int32Array(10).fill(-1);
  let i = from;
  for (let f = 0; f < 5; f++) {
    const s = nextSpace(buf, i, end);
    if (!isNil(buf, i, s)) {
      bounds[f * 2] = i;
      bounds[f * 2 + 1] = s;
    }
    i = s + 1;
    if (s >= end) break;
  }
  const spans = new Int32Array([bounds[0]!, bounds[1]!, bounds[2]!, bounds[3]!, bounds[6]!, bounds[7]!, -1, 0]);
  let contentStart = end;
  if (i < end) {
    if (buf[i] === DASH && (i + 1 >= end || buf[i + 1] === SP)) {
      contentStart = i + 2;
    } else if (buf[i] === LBRACKET) {
      const sdEnd = structuredDataEnd(buf, i, end);
      if (sdEnd > i) {
        spans[6] = i;
        spans[7] = sdEnd;
        contentStart = sdEnd + 1;
      } else contentStart = i;
    } else contentStart = i;
  }
  // RFC 5424 6.4: MSG may start with a UTF-8 byte order mark.
  if (buf[contentStart] === 0xef && buf[contentStart + 1] === 0xbb && buf[contentStart + 2] === 0xbf) contentStart += 3;
  const tag = bounds[4]! < 0 ? undefined : tagText(buf, bounds[4]!, bounds[5]!);
  return new SyslogMessage(pri, 'rfc5424', tag, buf.subarray(Math.min(contentStart, end), end), buf, spans);
}

/** End (exclusive) of the SD-ELEMENTs starting at `from` ("[id k="v"]..."), or `from` when malformed. */
function structuredDataEnd(buf: Buffer, from: number, end: number): number {
  let i = from;
  while (i < end && buf[i] === LBRACKET) {
    let quoted = false;
    i++;
    for (; i < end; i++) {
      const c = buf[i];
      if (quoted) {
        if (c === BACKSLASH) i++;
        else if (c === QUOTE) quoted = false;
      } else if (c === QUOTE) quoted = true;
      else if (c === RBRACKET) break;
    }
    if (i >= end) return from;
    i++;
  }
  return i;
}

/** Length of an RFC 3164 timestamp `Mmm _d hh:mm:ss` at `at`, else 0. */
function bsdTimestampLength(buf: Buffer, at: number, end: number): number {
  if (at + 15 > end) return 0;
  if (!MONTHS.has((buf[at]! << 16) | (buf[at + 1]! << 8) | buf[at + 2]!) || buf[at + 3] !== SP) return 0;
  const d1 = buf[at + 4];
  if (!(d1 === SP || isDigit(d1)) || !isDigit(buf[at + 5]) || buf[at + 6] !== SP) return 0;
  if (!isDigit(buf[at + 7]) || !isDigit(buf[at + 8]) || !isDigit(buf[at + 10]) || !isDigit(buf[at + 11]) || !isDigit(buf[at + 13]) || !isDigit(buf[at + 14])) return 0;
  if (buf[at + 9] !== COLON || buf[at + 12] !== COLON) return 0;
  return 15;
}

const RFC3339_DIGITS = [0, 1, 2, 3, 5, 6, 8, 9, 11, 12, 14, 15, 17, 18];

/** Length of an RFC 3339 timestamp token at `at` (srslog's DefaultFormatter writes one in RFC 3164 position), else 0. */
function rfc3339Length(buf: Buffer, at: number, end: number): number {
  if (at + 20 > end) return 0;
  for (const k of RFC3339_DIGITS) if (!isDigit(buf[at + k])) return 0;
  if (buf[at + 4] !== DASH || buf[at + 7] !== DASH || buf[at + 10] !== 0x54 /* T */) return 0;
  return nextSpace(buf, at, end) - at;
}

/**
 * `TAG:` or `TAG[PID]:` (the token from `from` to `to`, the colon included): writes the tag's end and the
 * PID's span into `out` ([tagEnd, pidFrom, pidTo]) and returns true; false when the token is not a tag.
 */
function tagToken(buf: Buffer, from: number, to: number, out: Int32Array): boolean {
  if (to - from < 2 || buf[to - 1] !== COLON) return false;
  if (buf[to - 2] === RBRACKET) {
    let open = to - 3;
    while (open >= from && buf[open] !== LBRACKET) open--;
    if (open > from) {
      out[0] = open;
      out[1] = open + 1;
      out[2] = to - 2;
      return true;
    }
    if (open === from) return false;
  }
  out[0] = to - 1;
  out[1] = -1;
  return true;
}

function parse3164(buf: Buffer, from: number, end: number, pri: number): SyslogMessage {
  const spans = new Int32Array([-1, 0, -1, 0, -1, 0, -1, 0]);
  let i = from;
  // srslog's DefaultFormatter writes "<PRI> TIMESTAMP ..." with a space after the PRI.
  if (buf[i] === SP) i++;
  const bsd = bsdTimestampLength(buf, i, end);
  const tsLength = bsd > 0 ? bsd : rfc3339Length(buf, i, end);
  const stamped = tsLength > 0 && (i + tsLength === end || buf[i + tsLength] === SP);
  if (stamped) {
    spans[0] = i;
    spans[1] = i + tsLength;
    i = Math.min(end, i + tsLength + 1);
  }
  const t = new Int32Array(3);
  let tagFrom = i;
  const firstEnd = nextSpace(buf, i, end);
  let tagged = tagToken(buf, i, firstEnd, t);
  if (tagged) i = firstEnd;
  else if (stamped && firstEnd < end) {
    // HOSTNAME TAG: only when the second token is a tag; otherwise the first token is content, not a host.
    const secondEnd = nextSpace(buf, firstEnd + 1, end);
    tagged = tagToken(buf, firstEnd + 1, secondEnd, t);
    if (tagged) {
      spans[2] = i;
      spans[3] = firstEnd;
      tagFrom = firstEnd + 1;
      i = secondEnd;
    }
  }
  let tag: string | undefined;
  if (tagged) {
    if (t[0]! > tagFrom) tag = tagText(buf, tagFrom, t[0]!);
    if (t[1]! >= 0) {
      spans[4] = t[1]!;
      spans[5] = t[2]!;
    }
    // One space separates the tag's colon from the content.
    if (buf[i] === SP) i++;
  }
  return new SyslogMessage(pri, 'rfc3164', tag, buf.subarray(Math.min(i, end), end), buf, spans);
}

/**
 * An RFC 3339 timestamp with a fraction of a second, in UTC with every digit kept and trailing zeros trimmed
 * (Go's time.RFC3339Nano, which Docker's journald driver writes as SYSLOG_TIMESTAMP); undefined when the
 * text is not such a timestamp.
 */
export function preciseUtcTimestamp(text: string | undefined): string | undefined {
  if (text === undefined || text.length < 22 || text[19] !== '.') return undefined;
  let z = 20;
  while (z < text.length && text.charCodeAt(z) >= 0x30 && text.charCodeAt(z) <= 0x39) z++;
  if (z === 20 || z - 20 > 9) return undefined;
  const seconds = Date.parse(text.slice(0, 19) + text.slice(z));
  if (!Number.isFinite(seconds)) return undefined;
  const fraction = text.slice(20, z).replace(/0+$/, '');
  return new Date(seconds).toISOString().slice(0, 19) + (fraction ? `.${fraction}` : '') + 'Z';
}

/** Go's time.RFC3339Nano of a millisecond time in UTC: `2026-11-24T10:00:00.12Z`, trailing zeros trimmed. */
export function rfc3339NanoUtc(ms: number): string {
  const iso = new Date(ms).toISOString();
  const millis = iso.slice(20, 23);
  if (millis === '000') return iso.slice(0, 19) + 'Z';
  return iso.slice(0, 20) + millis.replace(/0+$/, '') + 'Z';
}
