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

/** How many space-separated tokens after the timestamp are looked at for a level word (Apache's error log puts it 6th). */
const LEVEL_SCAN_TOKENS = 6;
/** How far past the timestamp the level scan looks (Apache's error-log prefix is the longest seen, ~70). */
const LEVEL_SCAN_CHARS = 160;
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

/**
 * A level word among the first tokens from i: `[warn]` / `[core:error]` in any case; an UPPER-case word
 * anywhere (`ERROR`, `WARNING:`, `ERR!`, `WARNING/MainProcess]`); `error:` / `Warn:` (any case, with a
 * colon) only as the very first token, since a lower-case word later in the line is just a word.
 */
function scanLevel(text: string, i: number): Level | undefined {
  // A level word sits near the start: bounding the scan keeps a 16 KiB line from costing 16 KiB here.
  const n = Math.min(text.length, i + LEVEL_SCAN_CHARS);
  for (let token = 0; token < LEVEL_SCAN_TOKENS && i < n; token++) {
    while (i < n && isBlank(text.charCodeAt(i))) i++;
    const start = i;
    while (i < n && !isBlank(text.charCodeAt(i))) i++;
    const c0 = text.charCodeAt(start);
    if (c0 === 91) {
      let close = text.indexOf(']', start);
      if (close < 0 || close > i) close = i;
      let from = start + 1;
      const colon = text.lastIndexOf(':', close);
      if (colon > start) from = colon + 1;
      if (close - from < 3 || close - from > MAX_LEVEL_WORD) continue;
      const l = levelFromWord(text.slice(from, close));
      if (l !== undefined) return l;
      continue;
    }
    let w = start;
    while (w < i && isLetter(text.charCodeAt(w))) w++;
    if (w - start < 3 || w - start > MAX_LEVEL_WORD) continue;
    const next = w < i ? text.charCodeAt(w) : 32;
    if (next >= 48 && next <= 57) continue;
    if (isUpper(c0) && isUpper(text.charCodeAt(start + 1))) {
      const l = levelFromUpperWord(text.slice(start, w));
      if (l !== undefined) return l;
    } else if (token === 0 && next === 58) {
      const l = levelFromWord(text.slice(start, w));
      if (l !== undefined) return l;
    }
  }
  return undefined;
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
    else if (isUpper(c)) t = parseSyslogTime(text, at, journalMs);
    if (t === t) {
      stamped = true;
      i = parsedEnd;
      if (at === 1 && text.charCodeAt(i) === 93) i++;
      if (plausible(t, journalMs, parsedZoned)) time = t;
    }
  }
  if (level === undefined) level = scanLevel(text, i);

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
