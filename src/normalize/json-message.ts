// A message that is a JSON object: its keys become fields; message, level and time are lifted from the usual keys.
import type { Level } from '../model/log-record.ts';
import { setField } from './fields.ts';
import { levelFromValue } from './levels.ts';
import { timeFromValue } from './timestamp.ts';

/**
 * Deepest JSON nesting accepted as an object. JSON.parse copes with any depth, but JSON.stringify (every
 * destination's encoder) recurses and throws RangeError past a few thousand levels; deeper text stays text.
 */
export const MAX_JSON_DEPTH = 500;

/** What parseJsonMessage found; module state, so the per-line path allocates no result object. */
export let jsonMessage: string | undefined;
export let jsonLevel: Level | undefined;
export let jsonTime = NaN;
export let jsonFields: Record<string, unknown> = {};

/** Whether the text nests deeper than MAX_JSON_DEPTH (brackets inside strings do not count). */
function tooDeep(text: string): boolean {
  let depth = 0;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c === 34) {
      for (i++; i < text.length; i++) {
        const d = text.charCodeAt(i);
        if (d === 92) i++;
        else if (d === 34) break;
      }
    } else if (c === 123 || c === 91) {
      if (++depth > MAX_JSON_DEPTH) return true;
    } else if (c === 125 || c === 93) depth--;
  }
  return false;
}

function endsWithBrace(text: string): boolean {
  for (let i = text.length - 1; i > 0; i--) {
    const c = text.charCodeAt(i);
    if (c === 125) return true;
    if (c !== 32 && c !== 10 && c !== 13 && c !== 9) return false;
  }
  return false;
}

/**
 * Ranks of the keys each value is lifted from, lowest first: pino/bunyan/zap/logrus/slog say `msg`,
 * winston/zerolog/logback/log4j2/python-json-logger/ecs-logs say `message`, Docker's json-file says `log`;
 * `lvl` is log15's, `severity` Google Cloud's, `log.level` ECS JSON layouts', `levelname` Python's;
 * `ts` is zap's, `@timestamp` logstash-logback-encoder's, `timeMillis`/`instant` log4j2 JsonLayout's,
 * `asctime` Python's.
 */
function messageRank(key: string): number {
  switch (key) {
    case 'message': return 0;
    case 'msg': return 1;
    case 'log': return 2;
    default: return -1;
  }
}
function levelRank(key: string): number {
  switch (key) {
    case 'level': return 0;
    case 'lvl': return 1;
    case 'severity': return 2;
    case 'log.level': return 3;
    case 'levelname': return 4;
    default: return -1;
  }
}
function timeRank(key: string): number {
  switch (key) {
    case 'time': return 0;
    case 'timestamp': return 1;
    case 'ts': return 2;
    case '@timestamp': return 3;
    case 'timeMillis': return 4;
    case 'instant': return 5;
    case 'asctime': return 6;
    default: return -1;
  }
}

/**
 * Parse `text` as a JSON object message. Returns false (and leaves the module state alone) when it is
 * not one: not an object, malformed, or nested deeper than MAX_JSON_DEPTH.
 */
export function parseJsonMessage(text: string, journalMs: number): boolean {
  if (!endsWithBrace(text)) return false;
  if (text.length > 2 * MAX_JSON_DEPTH && tooDeep(text)) return false;
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    return false;
  }
  if (parsed === null || typeof parsed !== 'object' || Array.isArray(parsed)) return false;
  const obj = parsed as Record<string, unknown>;

  let msgKey: string | undefined;
  let msgBest = 99;
  let message: string | undefined;
  let lvlKey: string | undefined;
  let lvlBest = 99;
  let level: Level | undefined;
  let timeKey: string | undefined;
  let timeBest = 99;
  let time = NaN;
  for (const key in obj) {
    let r = messageRank(key);
    if (r >= 0) {
      const v = obj[key];
      if (r < msgBest && typeof v === 'string') {
        msgBest = r;
        msgKey = key;
        message = v;
      }
      continue;
    }
    r = levelRank(key);
    if (r >= 0) {
      if (r < lvlBest) {
        const l = levelFromValue(obj[key]);
        if (l !== undefined) {
          lvlBest = r;
          lvlKey = key;
          level = l;
        }
      }
      continue;
    }
    r = timeRank(key);
    if (r >= 0 && r < timeBest) {
      const t = timeFromValue(obj[key], journalMs);
      if (t === t) {
        timeBest = r;
        timeKey = key;
        time = t;
      }
    }
  }
  // ECS nested form {"log": {"level": "info"}}: read, but the object stays in fields.
  if (level === undefined) {
    const log = obj.log;
    if (log !== null && typeof log === 'object') level = levelFromValue((log as Record<string, unknown>).level);
  }

  let fields = obj;
  if (msgKey !== undefined || lvlKey !== undefined || timeKey !== undefined) {
    fields = {};
    for (const key in obj) {
      if (key !== msgKey && key !== lvlKey && key !== timeKey) setField(fields, key, obj[key]);
    }
  }
  jsonMessage = message;
  jsonLevel = level;
  jsonTime = time;
  jsonFields = fields;
  return true;
}
