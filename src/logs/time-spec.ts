// --since / --until values: "now", relative ("90s", "30m", "1h30m", "2d", "1w" ago), absolute (RFC 3339, a date,
// epoch seconds or milliseconds). Times without a zone are UTC, like every time this command prints.

const UNIT_MS: Record<string, number> = { s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000, w: 7 * 86_400_000 };
const RELATIVE = /^(?:\d+(?:\.\d+)?(?:s|m|h|d|w))+$/;
const PART = /(\d+(?:\.\d+)?)(s|m|h|d|w)/g;
const DATE_TIME = /^(\d{4})-(\d{2})-(\d{2})(?:[T ](\d{2}):(\d{2})(?::(\d{2})(\.\d{1,9})?)?)?\s*(Z|[+-]\d{2}:?\d{2})?$/i;

export const TIME_SPEC_HELP = 'a time such as 1h, 30m, 2d, 1h30m (ago), now, 2026-11-24, 2026-11-24T16:52:13Z or 2026-11-24 16:52 (UTC unless a zone is given)';

/** Milliseconds since the epoch for `text`, relative to `now`; undefined when it is not a time. */
export function parseTimeSpec(text: string, now: number): number | undefined {
  let t = text.trim();
  if (t === '') return undefined;
  if (t.toLowerCase() === 'now') return now;
  if (/^\d{9,13}$/.test(t)) {
    const n = Number(t);
    // Ten digits or fewer: epoch seconds (until the year 2286); more: milliseconds.
    return t.length <= 10 ? n * 1000 : n;
  }
  t = t.replace(/^-/, '').replace(/\s*ago$/i, '');
  if (RELATIVE.test(t)) {
    let ms = 0;
    for (const m of t.matchAll(PART)) ms += Number(m[1]) * UNIT_MS[m[2]!]!;
    return Math.round(now - ms);
  }
  const m = DATE_TIME.exec(text.trim());
  if (!m) return undefined;
  const [, y, mo, d, h = '00', mi = '00', s = '00', frac = '', zone = 'Z'] = m;
  const iso = `${y}-${mo}-${d}T${h}:${mi}:${s}${frac.slice(0, 4)}${zone.toUpperCase() === 'Z' ? 'Z' : zone.length === 5 ? `${zone.slice(0, 3)}:${zone.slice(3)}` : zone}`;
  // Date.parse rolls 2026-02-30 over to March 2; a day the month does not have is a mistake.
  if (Number(d) < 1 || Number(d) > new Date(Date.UTC(Number(y), Number(mo), 0)).getUTCDate()) return undefined;
  const ms = Date.parse(iso);
  return Number.isFinite(ms) ? ms : undefined;
}
