// The header fields of RFC 5424 and RFC 3164 messages, kept within the RFCs' characters and lengths whatever a record holds.
import { LEVELS, type Level } from '../../src/model/log-record.ts';
import { isoTime } from '../../src/normalize/encode.ts';

/** RFC 5424 section 6: HOSTNAME 1*255, APP-NAME 1*48, PROCID 1*128, MSGID 1*32, each of PRINTUSASCII (%d33-126). */
export const RFC5424_LIMITS = { hostname: 255, appName: 48, procid: 128, msgid: 32 } as const;
/** RFC 3164 section 4.1.3: the TAG "MUST NOT exceed 32 characters". The [PID] after it follows PROCID's 128. */
export const RFC3164_LIMITS = { hostname: 255, tag: 32, pid: 128 } as const;
/** RFC 5424's NILVALUE: a field with no value. */
export const NILVALUE = '-';

/** Any character outside PRINTUSASCII (space, controls, DEL, non-ASCII). */
const NOT_PRINTUSASCII = /[^\x21-\x7e]/g;
/**
 * RFC 3164 asks for alphanumeric TAGs; ".", "_", "-" and "/" are what real programs use ("postfix/smtpd") and
 * what syslog-ng and rsyslog read as part of the program name. "[", "]" and ":" would end the TAG early.
 */
const NOT_TAG_CHAR = /[^A-Za-z0-9._/-]/g;

/**
 * HOSTNAME: letters, digits, ".", "-" and "_". RFC 5424 allows any PRINTUSASCII, but syslog-ng 3.38 refuses a
 * HOSTNAME holding "[" or an inner ":" (measured: "Error processing log message"), and RFC 3164 parsers read a
 * ":" as the end of the TAG. A host name (RFC 1123) or IPv4 address needs no other character.
 */
const NOT_HOST_CHAR = /[^A-Za-z0-9._-]/g;

/** `text` as a header field: characters outside the allowed set become "_", cut to `max`; empty becomes "-". */
function field(text: string, max: number, invalid: RegExp): string {
  invalid.lastIndex = 0;
  let out = invalid.test(text) ? text.replace(invalid, '_') : text;
  if (out.length > max) out = out.slice(0, max);
  return out === '' ? NILVALUE : out;
}

export const printUsAscii = (text: string, max: number): string => field(text, max, NOT_PRINTUSASCII);
export const tagChars = (text: string, max: number): string => field(text, max, NOT_TAG_CHAR);
export const hostChars = (text: string, max: number): string => field(text, max, NOT_HOST_CHAR);

/** `<PRI>` for each level, index = severity (RFC 5424 section 6.2.1: PRI = facility * 8 + severity). */
export function priorities(facility: number): Readonly<Record<Level, string>> {
  const out = {} as Record<Level, string>;
  LEVELS.forEach((level, severity) => (out[level] = `<${facility * 8 + severity}>`));
  return out;
}

/** Latest time RFC 5424's four-digit FULL-DATE can hold (9999-12-31T23:59:59.999Z). */
const MAX_RFC3339_MS = 253_402_300_799_999;

/** RFC 5424 TIMESTAMP: RFC 3339 in UTC with milliseconds, or "-" for a time it cannot write. */
export function rfc5424Time(ms: number): string {
  return ms >= 0 && ms <= MAX_RFC3339_MS ? isoTime(ms) : NILVALUE;
}

const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];
let cached3164Second = NaN;
let cached3164Text = '';

/**
 * RFC 3164 TIMESTAMP, "Mmm dd hh:mm:ss" with the day padded by a space (section 4.1.2). It has no year and no
 * zone: we write UTC. Formatted once per second, as isoTime does.
 */
export function rfc3164Time(ms: number): string {
  const second = Math.floor(Number.isFinite(ms) ? ms / 1000 : Date.now() / 1000);
  if (second !== cached3164Second) {
    const d = new Date(second * 1000);
    const day = d.getUTCDate();
    const two = (n: number) => (n < 10 ? '0' : '') + n;
    cached3164Text = `${MONTHS[d.getUTCMonth()] ?? 'Jan'} ${day < 10 ? ' ' : ''}${day} ${two(d.getUTCHours())}:${two(d.getUTCMinutes())}:${two(d.getUTCSeconds())}`;
    cached3164Second = second;
  }
  return cached3164Text;
}

/**
 * Characters written as rsyslog writes control characters it receives ("#" and three octal digits, so a line
 * feed is "#012"): those that would end a message early. NUL ends a message in C receivers (syslog-ng's
 * newline framing splits at it); a line feed ends one in newline framing.
 */
const NUL = /\0/g;
const NUL_OR_LF = /[\0\n]/g;
const octal = (c: string) => '#' + c.charCodeAt(0).toString(8).padStart(3, '0');

/** Text made safe for a framing: without NUL, and without line feeds under newline framing. */
export function escapeForFraming(text: string, newlineFraming: boolean): string {
  const pattern = newlineFraming ? NUL_OR_LF : NUL;
  pattern.lastIndex = 0;
  return pattern.test(text) ? text.replace(pattern, octal) : text;
}

/** Every control character (C0 and DEL) as "#ooo": for structured-data values, valid under any framing. */
const CONTROL = /[\x00-\x1f\x7f]/g;
export function escapeControls(text: string): string {
  CONTROL.lastIndex = 0;
  return CONTROL.test(text) ? text.replace(CONTROL, octal) : text;
}
