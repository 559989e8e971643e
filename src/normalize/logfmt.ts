// logfmt pairs (`k=v`, `k="v v"`) anywhere in a text line, as logrus, go-kit, slog's TextHandler and Heroku print them.
import { setField } from './fields.ts';

function isKeyStart(c: number): boolean {
  return (c >= 97 && c <= 122) || (c >= 65 && c <= 90) || c === 95 || c === 64;
}

function isKeyChar(c: number): boolean {
  return (c >= 97 && c <= 122) || (c >= 65 && c <= 90) || (c >= 48 && c <= 57) || c === 95 || c === 46 || c === 45 || c === 64;
}

/**
 * Every `key=value` token of the line (tokens are separated by spaces; a token that is not a pair is
 * skipped). Quoted values may hold spaces and backslash escapes. Returns undefined when there is no pair.
 * One left-to-right pass: no backtracking whatever the input.
 */
export function parseLogfmt(text: string, from = 0): Record<string, string> | undefined {
  let out: Record<string, string> | undefined;
  const n = text.length;
  let i = from;
  while (i < n) {
    while (i < n && text.charCodeAt(i) === 32) i++;
    if (i >= n) break;
    const keyStart = i;
    if (isKeyStart(text.charCodeAt(i))) {
      i++;
      while (i < n && isKeyChar(text.charCodeAt(i))) i++;
      if (i < n && text.charCodeAt(i) === 61) {
        const key = text.slice(keyStart, i);
        i++;
        let value: string;
        if (text.charCodeAt(i) === 34) {
          i++;
          const start = i;
          let escaped = false;
          while (i < n) {
            const c = text.charCodeAt(i);
            if (c === 34) break;
            if (c === 92) {
              escaped = true;
              i++;
            }
            i++;
          }
          value = escaped ? unescape(text.slice(start, Math.min(i, n))) : text.slice(start, Math.min(i, n));
          i++;
        } else {
          const start = i;
          while (i < n && text.charCodeAt(i) !== 32) i++;
          value = text.slice(start, i);
        }
        out ??= {};
        setField(out, key, value);
        continue;
      }
    }
    // Not a pair: skip the rest of the token, and a quoted stretch as a whole so its `k=v` look-alikes stay text.
    while (i < n && text.charCodeAt(i) !== 32) {
      if (text.charCodeAt(i) === 34) {
        const close = text.indexOf('"', i + 1);
        i = close < 0 ? n : close + 1;
      } else i++;
    }
  }
  return out;
}

function unescape(s: string): string {
  let out = '';
  for (let i = 0; i < s.length; i++) {
    const c = s[i]!;
    if (c !== '\\' || i + 1 >= s.length) {
      out += c;
      continue;
    }
    const e = s[++i]!;
    out += e === 'n' ? '\n' : e === 't' ? '\t' : e === 'r' ? '\r' : e;
  }
  return out;
}
