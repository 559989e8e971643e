// A legacy text line: a leading timestamp and level word are recognized, logfmt pairs and access-log parts become fields.
import type { Level } from '../model/log-record.ts';
import { accessLogTime, parseAccessLog } from './access-log.ts';
import { levelFromUpperWord, levelFromWord } from './levels.ts';
import { parseLogfmt } from './logfmt.ts';
import { parsedEnd, parsedZoned, parseIsoLike, parseKlogTime, parseSyslogTime, plausible, timeFromValue } from './timestamp.ts';

/** What parseTextMessage found; module state, so the per-line path allocates no result object. */
export let textLevel: Level | undefined;
export let textTime = NaN;
export let textFields: Record<string, unknown> | undefined;

/**
 * How many space-separated tokens after the timestamp are looked at for a level word: BGL's RAS log puts it
 * 9th, after eight fields (`- 1117838570 2005.06.03 R02-M1-N0-C:J12-U11 ... RAS KERNEL FATAL`).
 */
const LEVEL_SCAN_TOKENS = 10;
/** How far past the timestamp the level scan looks (BGL's eight fields are the longest prefix seen, ~105 chars). */
const LEVEL_SCAN_CHARS = 200;
/** The longest level word (`informational`). */
const MAX_LEVEL_WORD = 13;

/** Space or tab: zap's console encoder separates its columns with tabs. */
function isBlank(c: number): boolean {
  return c === 32 || c === 9;
}

function isLetter(c: number): boolean {
  return (c >= 65 && c <= 90) || (c >= 97 && c <= 122);
}

function isUpper(c: number): boolean {
  return c >= 65 && c <= 90;
}

function isDigit(c: number): boolean {
  return c >= 48 && c <= 57;
}

/** klog's level letters (`I1124 ...`). */
function klogLevel(c: number): Level | undefined {
  switch (c) {
    case 73: return 'info';
    case 87: return 'warning';
    case 69: return 'error';
    case 70: return 'crit';
    default: return undefined;
  }
}

/** Android logcat's priority letters: V(erbose) D(ebug) I(nfo) W(arn) E(rror) F(atal), and A(ssert) of old releases. */
function logcatLevel(c: number): Level | undefined {
  switch (c) {
    case 86: case 68: return 'debug';
    case 73: return 'info';
    case 87: return 'warning';
    case 69: return 'error';
    case 70: case 65: return 'crit';
    default: return undefined;
  }
}

/**
 * What may follow an UPPER level word inside its token: `WARNING:`, `[INFO]`, `ERR!`, celery's
 * `WARNING/MainProcess]`, logrus' `INFO[0000]`. Not `_`, `-`, `.`, `=` or a digit: `ERROR_CODE`, `ERROR=5`.
 */
function endsUpperWord(c: number): boolean {
  return c === 58 || c === 93 || c === 41 || c === 33 || c === 47 || c === 124 || c === 59 || c === 62 || c === 44 || c === 91;
}

/** Three-letter month and weekday names (`Nov`, `Tue`) by their char codes: fields of syslog and asctime stamps. */
const DATE_WORDS = new Set<number>();
for (const w of ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec', 'Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat', 'Sun']) {
  DATE_WORDS.add((w.charCodeAt(0) << 16) | (w.charCodeAt(1) << 8) | w.charCodeAt(2));
}

/**
 * logcat's `brief`, `time` and `tag` formats at i: `D/Tag( 123): ` or `D/Tag: ` (a tag of two characters
 * at least, so that `I/O: ` is not one). Returns the letter's level, or undefined.
 */
function logcatBrief(text: string, i: number): Level | undefined {
  const level = logcatLevel(text.charCodeAt(i));
  if (level === undefined || text.charCodeAt(i + 1) !== 47) return undefined;
  const n = Math.min(text.length, i + 2 + 100);
  let j = i + 2;
  while (j < n) {
    const c = text.charCodeAt(j);
    if (c === 40 || c === 58 || isBlank(c)) break;
    j++;
  }
  const tag = j - (i + 2);
  if (tag < 1 || j >= n) return undefined;
  if (text.charCodeAt(j) === 58) return tag >= 2 && (j + 1 === text.length || isBlank(text.charCodeAt(j + 1))) ? level : undefined;
  if (text.charCodeAt(j) !== 40) return undefined;
  j++;
  while (j < n && text.charCodeAt(j) === 32) j++;
  const digits = j;
  while (j < n && isDigit(text.charCodeAt(j))) j++;
  return j > digits && text.charCodeAt(j) === 41 && text.charCodeAt(j + 1) === 58 ? level : undefined;
}

/**
 * The level a line states in one of its leading fields, scanning tokens from i. A level token is `[warn]` /
 * `[core:error]` in any case; an UPPER-case level word as a whole token (`ERROR`, `WARNING:`, `ERR!`); an
 * any-case level word ending its token with a colon (`error:`, `Warn:`) or followed by a column gap (a tab,
 * or two spaces: `Info   CBS`); logcat's letter after its pid and tid (`1702  2395 D Tag:`) or in `D/Tag( 12):`.
 *
 * It counts only while every token before it is a field, not a word of prose: a token holding a digit,
 * punctuation inside or a bracket (times, ids, hosts, `kernel[0]:`, `[main]`, `-`), an UPPER-case word (BGL's
 * `RAS KERNEL`), a month or weekday name, a single letter and a comma (Ruby's `E, [`), a word between
 * separators (Python's `- myapp -`), and after a syslog time its host and `tag:`. The first prose word (letters
 * with a lower-case one, `I`, `Could`) ends the scan: in `Could not find ERROR handler` or `Done. ERROR count:
 * 0` the message has begun, and its words are only words. One pass over at most LEVEL_SCAN_CHARS, no regex.
 */
function scanLevel(text: string, i: number, afterSyslogTime: boolean): Level | undefined {
  const from = i;
  const n = Math.min(text.length, i + LEVEL_SCAN_CHARS);
  // All-digit tokens just before this one (logcat's pid and tid).
  let numbers = 0;
  for (let token = 0; token < LEVEL_SCAN_TOKENS && i < n; token++) {
    while (i < n && isBlank(text.charCodeAt(i))) i++;
    if (i >= n) break;
    const start = i;
    const c0 = text.charCodeAt(start);
    while (i < n && !isBlank(text.charCodeAt(i))) i++;
    const end = i;

    if (c0 === 91) {
      let close = text.indexOf(']', start);
      if (close < 0 || close > end) close = end;
      let wordFrom = start + 1;
      const colon = text.lastIndexOf(':', close);
      if (colon > start) wordFrom = colon + 1;
      if (close - wordFrom >= 3 && close - wordFrom <= MAX_LEVEL_WORD) {
        const l = levelFromWord(text.slice(wordFrom, close));
        if (l !== undefined) return l;
      }
      numbers = 0;
      continue;
    }
    if (text.charCodeAt(start + 1) === 47) {
      const l = logcatBrief(text, start);
      if (l !== undefined) return l;
    }
    if (end - start === 1 && numbers >= 2 && (token > numbers || from > 0) && isBlank(text.charCodeAt(end))) {
      const l = logcatLevel(c0);
      if (l !== undefined) return l;
    }

    let w = start;
    while (w < end && isLetter(text.charCodeAt(w))) w++;
    if (w - start >= 3 && w - start <= MAX_LEVEL_WORD) {
      const next = w < end ? text.charCodeAt(w) : 32;
      if (isUpper(c0) && isUpper(text.charCodeAt(start + 1)) && (w === end || endsUpperWord(next))) {
        const l = levelFromUpperWord(text.slice(start, w));
        if (l !== undefined) return l;
      } else if ((next === 58 && w + 1 === end) || (w === end && (token > 0 || from > 0) && isColumnGap(text, end))) {
        const l = levelFromWord(text.slice(start, w));
        if (l !== undefined) return l;
      }
    }

    numbers = isDigit(c0) && allDigits(text, start + 1, end) ? numbers + 1 : 0;
    if (!wordShaped(text, start, end)) continue;
    // Letters only (with trailing punctuation): still a field when it is a date word or stands where the
    // format puts a name.
    if (wordLetters === 3 && DATE_WORDS.has((c0 << 16) | (text.charCodeAt(start + 1) << 8) | text.charCodeAt(start + 2))) continue;
    if (afterSyslogTime && token === 0) continue;
    if ((token > 0 || from > 0) && wordEnd === end - 1 && text.charCodeAt(wordEnd) === 58) continue;
    if (token === 0 && start === 0 && end === 3 && text.startsWith('npm', 0)) continue;
    if (isSeparatorNext(text, end)) continue;
    return undefined;
  }
  return undefined;
}

function allDigits(text: string, i: number, end: number): boolean {
  while (i < end && isDigit(text.charCodeAt(i))) i++;
  return i === end;
}

/** Set by wordShaped: how many letters the word has, and where its trailing punctuation starts. */
let wordLetters = 0;
let wordEnd = 0;

/**
 * Whether the token [i, end) is shaped like a word of prose: letters (other scripts' count) and apostrophes,
 * then at most trailing `,.;:!?`, with a lower-case letter, or a lone letter (`I`, `A`) without a comma
 * (Ruby's Logger starts with `E, [`). A digit or any other character inside makes it a field; so does UPPER
 * case (`RAS`, `KERNEL`). Stops at the first character that decides.
 */
function wordShaped(text: string, i: number, end: number): boolean {
  const start = i;
  let lower = false;
  while (i < end) {
    const c = text.charCodeAt(i);
    if ((c >= 97 && c <= 122) || c >= 128) lower = true;
    else if (!((c >= 65 && c <= 90) || c === 39)) break;
    i++;
  }
  wordLetters = i - start;
  wordEnd = i;
  if (i === start) return false;
  for (let j = i; j < end; j++) {
    const c = text.charCodeAt(j);
    if (c !== 44 && c !== 46 && c !== 59 && c !== 58 && c !== 33 && c !== 63) return false;
  }
  if (lower) return true;
  return wordLetters === 1 && text.charCodeAt(i) !== 44;
}

/** A tab, or two spaces: the gap after a padded column (`Info   CBS`). */
function isColumnGap(text: string, i: number): boolean {
  const c = text.charCodeAt(i);
  return c === 9 || (c === 32 && isBlank(text.charCodeAt(i + 1)));
}

/** Whether a lone `-` or `|` column separator follows (Python's `%(asctime)s - %(name)s - %(levelname)s`). */
function isSeparatorNext(text: string, i: number): boolean {
  while (i < text.length && isBlank(text.charCodeAt(i))) i++;
  const c = text.charCodeAt(i);
  return (c === 45 || c === 124) && (i + 1 === text.length || isBlank(text.charCodeAt(i + 1)));
}

function firstString(fields: Record<string, unknown>, a: string, b: string, c: string): string | undefined {
  const v = fields[a] ?? fields[b] ?? fields[c];
  return typeof v === 'string' ? v : undefined;
}

/** Reads the text; the result is in textLevel, textTime (NaN: none, or not plausible) and textFields. */
export function parseTextMessage(text: string, journalMs: number): void {
  let level: Level | undefined;
  let time = NaN;
  let i = 0;
  let stamped = false;
  let syslog = false;
  const c0 = text.charCodeAt(0);
  const kl = klogLevel(c0);
  if (kl !== undefined && text.charCodeAt(5) === 32) {
    const t = parseKlogTime(text, 1, journalMs);
    if (t === t) {
      level = kl;
      stamped = true;
      i = parsedEnd;
      if (plausible(t, journalMs, false)) time = t;
    }
  }
  if (!stamped) {
    const at = c0 === 91 ? 1 : 0;
    const c = text.charCodeAt(at);
    let t = NaN;
    if (c >= 48 && c <= 57) t = parseIsoLike(text, at);
    else if (isUpper(c)) {
      t = parseSyslogTime(text, at, journalMs);
      syslog = t === t;
    }
    if (t === t) {
      stamped = true;
      i = parsedEnd;
      if (at === 1 && text.charCodeAt(i) === 93) i++;
      if (plausible(t, journalMs, parsedZoned)) time = t;
    }
  }
  if (level === undefined) level = scanLevel(text, i, syslog);

  let fields: Record<string, unknown> | undefined;
  if (!stamped) {
    const access = parseAccessLog(text);
    if (access !== undefined) {
      fields = access;
      if (plausible(accessLogTime, journalMs, true)) time = accessLogTime;
    }
  }
  if (fields === undefined && text.indexOf('=', i) >= 0) {
    fields = parseLogfmt(text, i);
    if (fields !== undefined) {
      if (level === undefined) {
        const word = firstString(fields, 'level', 'lvl', 'severity');
        if (word !== undefined) level = levelFromWord(word);
      }
      if (time !== time) {
        const stamp = firstString(fields, 'time', 'ts', 'timestamp');
        if (stamp !== undefined) time = timeFromValue(stamp, journalMs);
      }
    }
  }
  textLevel = level;
  textTime = time;
  textFields = fields;
}
