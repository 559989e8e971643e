// Level names and numbers of the loggers people use, mapped to syslog severities, without per-line allocation.
import { LEVELS, type Level } from '../model/log-record.ts';

/**
 * Level words by lower-case spelling. Mappings follow the loggers' own syslog bridges: logrus' syslog hook
 * sends panic and fatal as crit; zap's dpanic is a panic in development; java.util.logging's SEVERE is an error.
 */
const WORDS: ReadonlyArray<readonly [string, Level]> = [
  ['emerg', 'emerg'], ['emergency', 'emerg'],
  ['alert', 'alert'],
  ['crit', 'crit'], ['critical', 'crit'], ['fatal', 'crit'], ['panic', 'crit'], ['dpanic', 'crit'],
  ['err', 'error'], ['error', 'error'], ['severe', 'error'],
  ['warn', 'warning'], ['warning', 'warning'],
  ['notice', 'notice'],
  ['info', 'info'], ['information', 'info'], ['informational', 'info'],
  ['debug', 'debug'], ['trace', 'debug'], ['verbose', 'debug'],
];

/** Every word in lower, UPPER and Capitalized spelling, so the lookup needs no toLowerCase() per line. */
const BY_WORD = new Map<string, Level>();
/** Only UPPER spellings: a bare word in running text counts as a level only when shouted (`ERROR`, not `error`). */
const BY_UPPER_WORD = new Map<string, Level>();
for (const [word, level] of WORDS) {
  BY_WORD.set(word, level);
  BY_WORD.set(word.toUpperCase(), level);
  BY_WORD.set(word[0]!.toUpperCase() + word.slice(1), level);
  BY_UPPER_WORD.set(word.toUpperCase(), level);
}
/** zerolog's ConsoleWriter abbreviations (`INF`, `WRN`...): upper case only, too short to trust otherwise. */
for (const [abbr, level] of [['TRC', 'debug'], ['DBG', 'debug'], ['INF', 'info'], ['WRN', 'warning'], ['ERR', 'error'], ['FTL', 'crit'], ['PNC', 'crit']] as const) {
  BY_UPPER_WORD.set(abbr, level);
}

/** A level word in any of its usual spellings (`warn`, `WARN`, `Warn`), or undefined. */
export function levelFromWord(word: string): Level | undefined {
  const hit = BY_WORD.get(word);
  if (hit !== undefined || word.length > 13) return hit;
  // Rare spellings (`wArN`, slog's `ERROR+2`): the slow path.
  const plus = word.search(/[+-]\d+$/);
  return BY_WORD.get((plus > 0 ? word.slice(0, plus) : word).toLowerCase());
}

/** A level word only in its UPPER spelling, for bare words at the start of a text line. */
export function levelFromUpperWord(word: string): Level | undefined {
  return BY_UPPER_WORD.get(word);
}

/**
 * A numeric level: syslog 0..7, or pino/bunyan 10 (trace) .. 60 (fatal), in between rounded up to the
 * next pino level (custom pino levels). Other numbers are not levels.
 */
export function levelFromNumber(n: number): Level | undefined {
  if (!Number.isInteger(n)) return undefined;
  if (n >= 0 && n <= 7) return LEVELS[n];
  if (n > 7 && n <= 20) return 'debug';
  if (n > 20 && n <= 30) return 'info';
  if (n > 30 && n <= 40) return 'warning';
  if (n > 40 && n <= 50) return 'error';
  if (n > 50 && n <= 60) return 'crit';
  return undefined;
}

/** Level from a JSON value: a word, a number, or a number written as a string. */
export function levelFromValue(value: unknown): Level | undefined {
  if (typeof value === 'string') {
    const hit = BY_WORD.get(value);
    if (hit !== undefined) return hit;
    if (value.length > 0 && value.length <= 2 && value.charCodeAt(0) >= 48 && value.charCodeAt(0) <= 57) return levelFromNumber(Number(value));
    return levelFromWord(value);
  }
  if (typeof value === 'number') return levelFromNumber(value);
  return undefined;
}

/** journald's PRIORITY field (a syslog severity digit); info when absent or malformed. */
export function levelFromPriority(priority: unknown): Level {
  if (typeof priority === 'string' && priority.length === 1) {
    const d = priority.charCodeAt(0) - 48;
    if (d >= 0 && d <= 7) return LEVELS[d]!;
  }
  return 'info';
}
