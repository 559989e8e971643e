// Log group and stream names made valid for CloudWatch Logs, without letting two inputs share one name.
import { createHash } from 'node:crypto';

/** Name lengths and characters (API reference, CreateLogGroup / CreateLogStream). */
export const MAX_NAME_LENGTH = 512;
/** Group names: `[.\-_/#A-Za-z0-9]+`; the `aws/` prefix is reserved for AWS services. */
const GROUP_FORBIDDEN = /[^.\-_/#A-Za-z0-9]/g;
const RESERVED_GROUP_PREFIX = 'aws/';
/** Stream names: anything but `:` and `*`; control characters are replaced too, as no console shows them. */
const STREAM_FORBIDDEN = /[:*\u0000-\u001f\u007f]/g;
const REPLACEMENT = '_';
/** `-` and 8 hex digits of SHA-256 of the original name. */
const HASH_SUFFIX_LENGTH = 9;
/** Distinct names remembered per sanitizer; the cache is cleared when full (names are few in practice). */
const CACHE_LIMIT = 10_000;

function shortHash(text: string): string {
  return createHash('sha256').update(text).digest('hex').slice(0, HASH_SUFFIX_LENGTH - 1);
}

/** `text` cut to at most `max` UTF-16 units, never between the halves of a surrogate pair. */
function cut(text: string, max: number): string {
  if (text.length <= max) return text;
  const code = text.charCodeAt(max - 1);
  return text.slice(0, code >= 0xd800 && code <= 0xdbff ? max - 1 : max);
}

/**
 * The collision rule: a name that is valid as rendered is used unchanged; a name that had to change
 * (characters replaced, reserved prefix, too long, empty) gets `-` and 8 hex digits of the SHA-256 of the
 * rendered name appended, so `my service` and `my_service` stay two names.
 */
function finish(original: string, cleaned: string): string {
  if (cleaned === original && cleaned.length > 0 && cleaned.length <= MAX_NAME_LENGTH) return cleaned;
  return cut(cleaned, MAX_NAME_LENGTH - HASH_SUFFIX_LENGTH) + '-' + shortHash(original);
}

export function sanitizeGroupName(name: string): string {
  let cleaned = name.replace(GROUP_FORBIDDEN, REPLACEMENT);
  if (cleaned.startsWith(RESERVED_GROUP_PREFIX)) cleaned = REPLACEMENT + cleaned;
  return finish(name, cleaned);
}

export function sanitizeStreamName(name: string): string {
  return finish(name, name.replace(STREAM_FORBIDDEN, REPLACEMENT));
}

/** A sanitizer that remembers its answers: names repeat on every record, hashing them does not need to. */
export function cachedSanitizer(sanitize: (name: string) => string): (name: string) => string {
  const cache = new Map<string, string>();
  return (name) => {
    let out = cache.get(name);
    if (out === undefined) {
      out = sanitize(name);
      if (cache.size >= CACHE_LIMIT) cache.clear();
      cache.set(name, out);
    }
    return out;
  };
}
