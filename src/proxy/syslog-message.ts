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
// Header fields are read from the bytes without decoding the whole message; the content stays bytes
// (journald stores bytes, so invalid UTF-8 passes through as the container wrote it).

export interface SyslogMessage {
  /** 0 (emerg) to 7 (debug). */
  severity: number;
  facility: number;
  format: 'rfc5424' | 'rfc3164' | 'none';
  /** The timestamp as written, when there is one. */
  timestamp: string | undefined;
  hostname: string | undefined;
  /** RFC 3164 TAG, or RFC 5424 APP-NAME. */
  tag: string | undefined;
  pid: string | undefined;
  /** RFC 5424 STRUCTURED-DATA as written, when not nil. */
  structuredData: string | undefined;
  /** The message content: a view into the input, without the trailing "\n" (or RFC 5424 BOM). */
  content: Buffer;
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

const MONTHS = new Set(['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec']);

const isDigit = (c: number | undefined) => c !== undefined && c >= 0x30 && c <= 0x39;

/** Index of the next space at or after `from`, or `end`. */
function nextSpace(buf: Buffer, from: number, end: number): number {
  const at = buf.indexOf(SP, from);
  return at < 0 || at > end ? end : at;
}

function text(buf: Buffer, from: number, to: number): string {
  return buf.toString('latin1', from, to);
}

function utf8(buf: Buffer, from: number, to: number): string {
  return buf.toString('utf8', from, to);
}

/** RFC 5424 NILVALUE ("-") and an empty field both mean "not given". */
function field(buf: Buffer, from: number, to: number): string | undefined {
  if (to <= from || (to === from + 1 && buf[from] === DASH)) return undefined;
  return utf8(buf, from, to);
}

export function parseSyslog(input: Buffer): SyslogMessage {
  let end = input.length;
  if (end > 0 && input[end - 1] === LF) end--;
  const pri = parsePri(input, end);
  if (pri === undefined) return headerless(input, end);
  const start = pri.next;
  // RFC 5424: VERSION (1-3 digits, nonzero first) and a space right after the PRI.
  if (isDigit(input[start]) && input[start] !== 0x30) {
    let i = start;
    while (i < end && i < start + 3 && isDigit(input[i])) i++;
    if (input[i] === SP) return parse5424(input, i + 1, end, pri.value);
  }
  return parse3164(input, start, end, pri.value);
}

function parsePri(buf: Buffer, end: number): { value: number; next: number } | undefined {
  if (end < 3 || buf[0] !== LT) return undefined;
  let value = 0;
  let i = 1;
  while (i < end && i <= 4 && isDigit(buf[i])) value = value * 10 + buf[i++]! - 0x30;
  if (i === 1 || i > 4 || buf[i] !== GT || value > 191) return undefined;
  return { value, next: i + 1 };
}

function headerless(input: Buffer, end: number): SyslogMessage {
  return {
    severity: DEFAULT_PRI & 7,
    facility: DEFAULT_PRI >> 3,
    format: 'none',
    timestamp: undefined,
    hostname: undefined,
    tag: undefined,
    pid: undefined,
    structuredData: undefined,
    content: input.subarray(0, end),
  };
}

function parse5424(buf: Buffer, from: number, end: number, pri: number): SyslogMessage {
  // TIMESTAMP SP HOSTNAME SP APP-NAME SP PROCID SP MSGID SP STRUCTURED-DATA [SP MSG]; a field may be empty
  // (srslog writes an empty HOSTNAME when it cannot name the host), so fields are split on single spaces.
  const bounds: number[] = [];
  let i = from;
  for (let f = 0; f < 5; f++) {
    const s = nextSpace(buf, i, end);
    bounds.push(i, s);
    i = s + 1;
    if (s >= end) break;
  }
  const get = (f: number) => (bounds.length > f * 2 ? field(buf, bounds[f * 2]!, bounds[f * 2 + 1]!) : undefined);
  let structuredData: string | undefined;
  let contentStart = end;
  if (i < end) {
    if (buf[i] === DASH && (i + 1 >= end || buf[i + 1] === SP)) {
      contentStart = i + 2;
    } else if (buf[i] === LBRACKET) {
      const sdEnd = structuredDataEnd(buf, i, end);
      if (sdEnd > i) {
        structuredData = utf8(buf, i, sdEnd);
        contentStart = sdEnd + 1;
      } else contentStart = i;
    } else contentStart = i;
  }
  // RFC 5424 6.4: MSG may start with a UTF-8 byte order mark.
  if (buf[contentStart] === 0xef && buf[contentStart + 1] === 0xbb && buf[contentStart + 2] === 0xbf) contentStart += 3;
  return {
    severity: pri & 7,
    facility: pri >> 3,
    format: 'rfc5424',
    timestamp: get(0),
    hostname: get(1),
    tag: get(2),
    pid: get(3),
    structuredData,
    content: buf.subarray(Math.min(contentStart, end), end),
  };
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
  if (!MONTHS.has(text(buf, at, at + 3)) || buf[at + 3] !== SP) return 0;
  const d1 = buf[at + 4];
  if (!(d1 === SP || isDigit(d1)) || !isDigit(buf[at + 5]) || buf[at + 6] !== SP) return 0;
  for (const k of [7, 8, 10, 11, 13, 14]) if (!isDigit(buf[at + k])) return 0;
  if (buf[at + 9] !== COLON || buf[at + 12] !== COLON) return 0;
  return 15;
}

/** Length of an RFC 3339 timestamp token at `at` (srslog's DefaultFormatter writes one in RFC 3164 position), else 0. */
function rfc3339Length(buf: Buffer, at: number, end: number): number {
  if (at + 20 > end) return 0;
  for (const k of [0, 1, 2, 3, 5, 6, 8, 9, 11, 12, 14, 15, 17, 18]) if (!isDigit(buf[at + k])) return 0;
  if (buf[at + 4] !== DASH || buf[at + 7] !== DASH || buf[at + 10] !== 0x54 /* T */) return 0;
  return nextSpace(buf, at, end) - at;
}

interface TagToken {
  tag: string;
  pid: string | undefined;
}

/** `TAG:` or `TAG[PID]:` (the token from `from` to `to`, the colon included), else undefined. */
function tagToken(buf: Buffer, from: number, to: number): TagToken | undefined {
  if (to - from < 2 || buf[to - 1] !== COLON) return undefined;
  if (buf[to - 2] === RBRACKET) {
    const open = buf.lastIndexOf(LBRACKET, to - 2);
    if (open > from) return { tag: utf8(buf, from, open), pid: text(buf, open + 1, to - 2) };
    if (open === from) return undefined;
  }
  return { tag: utf8(buf, from, to - 1), pid: undefined };
}

function parse3164(buf: Buffer, from: number, end: number, pri: number): SyslogMessage {
  let i = from;
  // srslog's DefaultFormatter writes "<PRI> TIMESTAMP ..." with a space after the PRI.
  if (buf[i] === SP) i++;
  let timestamp: string | undefined;
  const bsd = bsdTimestampLength(buf, i, end);
  const tsLength = bsd > 0 ? bsd : rfc3339Length(buf, i, end);
  if (tsLength > 0 && (i + tsLength === end || buf[i + tsLength] === SP)) {
    timestamp = text(buf, i, i + tsLength);
    i = Math.min(end, i + tsLength + 1);
  }
  let hostname: string | undefined;
  let tag: TagToken | undefined;
  const firstEnd = nextSpace(buf, i, end);
  tag = tagToken(buf, i, firstEnd);
  if (tag) i = firstEnd;
  else if (timestamp !== undefined && firstEnd < end) {
    // HOSTNAME TAG: only when the second token is a tag; otherwise the first token is content, not a host.
    const secondEnd = nextSpace(buf, firstEnd + 1, end);
    tag = tagToken(buf, firstEnd + 1, secondEnd);
    if (tag) {
      hostname = utf8(buf, i, firstEnd);
      i = secondEnd;
    }
  }
  // One space separates the tag's colon from the content.
  if (tag && buf[i] === SP) i++;
  return {
    severity: pri & 7,
    facility: pri >> 3,
    format: 'rfc3164',
    timestamp,
    hostname,
    tag: tag?.tag === '' ? undefined : tag?.tag,
    pid: tag?.pid,
    structuredData: undefined,
    content: buf.subarray(Math.min(i, end), end),
  };
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
