// Timestamps found in log lines and JSON keys, parsed by hand (no regex, no Date.parse) and checked for plausibility.

/**
 * A message's own time is used only when it is near the journal's receive time. A time with a zone (or an
 * epoch number) may lag behind by up to a day (an application flushing a buffer); a time without a zone is
 * read as UTC and must be within 10 minutes: that is less than the smallest real zone offset (30 min), so a
 * local time misread as UTC is never taken.
 */
export const MAX_ZONED_AGE_MS = 24 * 3_600_000;
export const MAX_AHEAD_MS = 10 * 60_000;
export const MAX_ZONELESS_SKEW_MS = 10 * 60_000;

/** Whether a time parsed from a message may replace the journal's time. */
export function plausible(ms: number, journalMs: number, zoned: boolean): boolean {
  if (ms !== ms) return false;
  if (zoned) return ms <= journalMs + MAX_AHEAD_MS && ms >= journalMs - MAX_ZONED_AGE_MS;
  return ms <= journalMs + MAX_ZONELESS_SKEW_MS && ms >= journalMs - MAX_ZONELESS_SKEW_MS;
}

/** Where the last successful parse ended, and whether it had a zone: module state, so parsing allocates nothing. */
export let parsedEnd = 0;
export let parsedZoned = false;

function digit(text: string, i: number): number {
  const c = text.charCodeAt(i) - 48;
  return c >= 0 && c <= 9 ? c : -1;
}

function isWordChar(c: number): boolean {
  return (c >= 48 && c <= 57) || (c >= 65 && c <= 90) || (c >= 97 && c <= 122) || c === 95;
}

function num2(text: string, i: number): number {
  const a = digit(text, i);
  const b = digit(text, i + 1);
  return a < 0 || b < 0 ? -1 : a * 10 + b;
}

function num4(text: string, i: number): number {
  const a = num2(text, i);
  const b = num2(text, i + 2);
  return a < 0 || b < 0 ? -1 : a * 100 + b;
}

const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];

function month3(text: string, i: number): number {
  const c0 = text.charCodeAt(i);
  if (c0 < 65 || c0 > 90) return -1;
  for (let m = 0; m < 12; m++) {
    const name = MONTHS[m]!;
    if (name.charCodeAt(0) === c0 && name.charCodeAt(1) === text.charCodeAt(i + 1) && name.charCodeAt(2) === text.charCodeAt(i + 2)) return m + 1;
  }
  return -1;
}

function utc(y: number, mo: number, d: number, h: number, mi: number, s: number, ms: number): number {
  if (mo < 1 || mo > 12 || d < 1 || d > 31 || h > 23 || mi > 59 || s > 60) return NaN;
  return Date.UTC(y, mo - 1, d, h, mi, s, ms);
}

/** `hh:mm:ss` then an optional `.frac` or `,frac`; returns ms within the day or NaN; sets parsedEnd. */
function clock(text: string, i: number): number {
  const h = num2(text, i);
  if (h < 0 || text.charCodeAt(i + 2) !== 58) return NaN;
  const mi = num2(text, i + 3);
  if (mi < 0 || text.charCodeAt(i + 5) !== 58) return NaN;
  const s = num2(text, i + 6);
  if (s < 0 || h > 23 || mi > 59 || s > 60) return NaN;
  let j = i + 8;
  let ms = 0;
  const sep = text.charCodeAt(j);
  if ((sep === 46 || sep === 44) && digit(text, j + 1) >= 0) {
    j++;
    let scale = 100;
    while (j < text.length) {
      const dd = digit(text, j);
      if (dd < 0) break;
      ms += dd * scale;
      scale /= 10;
      j++;
    }
    ms = Math.floor(ms);
  }
  parsedEnd = j;
  return ((h * 60 + mi) * 60 + s) * 1000 + ms;
}

/** `Z`, `±hh:mm`, `±hhmm` or `±hh` at i: the offset in ms (to subtract), or NaN when there is none. */
function zone(text: string, i: number): number {
  const c = text.charCodeAt(i);
  if (c === 90 || c === 122) {
    parsedEnd = i + 1;
    return 0;
  }
  if (c !== 43 && c !== 45) return NaN;
  const hh = num2(text, i + 1);
  if (hh < 0 || hh > 18) return NaN;
  let mm = 0;
  let end = i + 3;
  if (text.charCodeAt(end) === 58) {
    mm = num2(text, end + 1);
    if (mm < 0) return NaN;
    end += 3;
  } else {
    const m2 = num2(text, end);
    if (m2 >= 0) {
      mm = m2;
      end += 2;
    }
  }
  parsedEnd = end;
  const off = (hh * 60 + mm) * 60_000;
  return c === 45 ? -off : off;
}

/**
 * `2006-01-02T15:04:05.000Z` and its relatives: `T` or a space, `.` or `,` fractions (Python's asctime),
 * an optional zone (`Z`, `+01:00`, `+0100`). Also Go's `2006/01/02 15:04:05` (no zone).
 */
export function parseIsoLike(text: string, i: number): number {
  const y = num4(text, i);
  if (y < 0) return NaN;
  const sep = text.charCodeAt(i + 4);
  if ((sep !== 45 && sep !== 47) || text.charCodeAt(i + 7) !== sep) return NaN;
  const mo = num2(text, i + 5);
  const d = num2(text, i + 8);
  if (mo < 0 || d < 0) return NaN;
  const t = text.charCodeAt(i + 10);
  if (t !== 84 && t !== 32 && t !== 116) return NaN;
  const dayMs = clock(text, i + 11);
  if (dayMs !== dayMs) return NaN;
  const base = utc(y, mo, d, 0, 0, 0, 0);
  if (base !== base) return NaN;
  const end = parsedEnd;
  let off = sep === 45 ? zone(text, end) : NaN;
  // gunicorn's `2006-01-02 15:04:05 +0000` and PostgreSQL's `2006-01-02 15:04:05.000 UTC` put a space first.
  if (off !== off && sep === 45 && text.charCodeAt(end) === 32) {
    const c = text.charCodeAt(end + 1);
    if ((c === 43 || c === 45) && num4(text, end + 2) >= 0 && digit(text, end + 6) < 0) off = zone(text, end + 1);
    else if (c === 85 && text.startsWith('UTC', end + 1) && !isWordChar(text.charCodeAt(end + 4))) {
      off = 0;
      parsedEnd = end + 4;
    }
  }
  if (off === off) {
    parsedZoned = true;
    return base + dayMs - off;
  }
  parsedEnd = end;
  parsedZoned = false;
  return base + dayMs;
}

/** A year for a time written without one (syslog, klog): the journal's, or the one before or after near New Year. */
function withYear(mo: number, d: number, dayMs: number, journalMs: number): number {
  const year = new Date(journalMs).getUTCFullYear();
  let ms = utc(year, mo, d, 0, 0, 0, 0) + dayMs;
  if (ms - journalMs > 183 * 86_400_000) ms = utc(year - 1, mo, d, 0, 0, 0, 0) + dayMs;
  else if (journalMs - ms > 183 * 86_400_000) ms = utc(year + 1, mo, d, 0, 0, 0, 0) + dayMs;
  return ms;
}

/** syslog's `Jan  2 15:04:05` (no year, no zone). */
export function parseSyslogTime(text: string, i: number, journalMs: number): number {
  const mo = month3(text, i);
  if (mo < 0 || text.charCodeAt(i + 3) !== 32) return NaN;
  let j = i + 4;
  if (text.charCodeAt(j) === 32) j++;
  let d = digit(text, j);
  if (d < 0) return NaN;
  const d2 = digit(text, j + 1);
  if (d2 >= 0) {
    d = d * 10 + d2;
    j++;
  }
  if (text.charCodeAt(j + 1) !== 32) return NaN;
  const dayMs = clock(text, j + 2);
  if (dayMs !== dayMs) return NaN;
  parsedZoned = false;
  return withYear(mo, d, dayMs, journalMs);
}

/** klog's `1124 01:02:03.456789` after the level letter (no year, no zone). */
export function parseKlogTime(text: string, i: number, journalMs: number): number {
  const mo = num2(text, i);
  const d = num2(text, i + 2);
  if (mo < 0 || d < 0 || text.charCodeAt(i + 4) !== 32) return NaN;
  const dayMs = clock(text, i + 5);
  if (dayMs !== dayMs || mo < 1 || mo > 12 || d < 1 || d > 31) return NaN;
  parsedZoned = false;
  return withYear(mo, d, dayMs, journalMs);
}

/** The access-log time `10/Oct/2000:13:55:36 -0700` (Apache/nginx `%t`, without its brackets). */
export function parseClfTime(text: string, i: number): number {
  const d = num2(text, i);
  if (d < 0 || text.charCodeAt(i + 2) !== 47) return NaN;
  const mo = month3(text, i + 3);
  if (mo < 0 || text.charCodeAt(i + 6) !== 47) return NaN;
  const y = num4(text, i + 7);
  if (y < 0 || text.charCodeAt(i + 11) !== 58) return NaN;
  const dayMs = clock(text, i + 12);
  if (dayMs !== dayMs || text.charCodeAt(parsedEnd) !== 32) return NaN;
  const off = zone(text, parsedEnd + 1);
  if (off !== off) return NaN;
  parsedZoned = true;
  return utc(y, mo, d, 0, 0, 0, 0) + dayMs - off;
}

/** Epoch seconds, milliseconds, microseconds or nanoseconds, told apart by magnitude. */
export function epochToMs(n: number): number {
  if (!Number.isFinite(n) || n <= 0) return NaN;
  if (n < 1e11) return Math.floor(n * 1000);
  if (n < 1e14) return Math.floor(n);
  if (n < 1e17) return Math.floor(n / 1e3);
  return Math.floor(n / 1e6);
}

/**
 * A time from a JSON value: an epoch number (pino's ms, zap's float seconds), an ISO string, a numeric
 * string, or log4j2's `instant` object `{epochSecond, nanoOfSecond}`. Returns ms, or NaN if it is not a
 * plausible time for an entry the journal received at journalMs.
 */
export function timeFromValue(value: unknown, journalMs: number): number {
  let ms = NaN;
  let zoned = true;
  if (typeof value === 'number') ms = epochToMs(value);
  else if (typeof value === 'string') {
    const c = value.charCodeAt(0);
    if (c >= 48 && c <= 57) {
      ms = parseIsoLike(value, 0);
      if (ms === ms) {
        if (parsedEnd !== value.length) return NaN;
        zoned = parsedZoned;
      } else ms = epochToMs(Number(value));
    }
  } else if (value !== null && typeof value === 'object') {
    const o = value as { epochSecond?: unknown; nanoOfSecond?: unknown };
    if (typeof o.epochSecond === 'number') ms = o.epochSecond * 1000 + (typeof o.nanoOfSecond === 'number' ? Math.floor(o.nanoOfSecond / 1e6) : 0);
  }
  return plausible(ms, journalMs, zoned) ? ms : NaN;
}
