// Access-log lines in the Common / Combined Log Format (nginx's default `combined`, Apache's `%h %l %u %t "%r" %>s %b`).
import { parseClfTime } from './timestamp.ts';

function isAddrStart(c: number): boolean {
  return (c >= 48 && c <= 57) || (c >= 97 && c <= 102) || (c >= 65 && c <= 70) || c === 58;
}

/** Index of the closing quote of a quoted string whose content starts at i (Apache escapes `"` as `\"`); -1 if none. */
function closingQuote(text: string, i: number): number {
  for (let j = i; j < text.length; j++) {
    const c = text.charCodeAt(j);
    if (c === 92) j++;
    else if (c === 34) return j;
  }
  return -1;
}

/** Time of the last line parseAccessLog accepted (ms, or NaN), kept out of the result so the result is plain fields. */
export let accessLogTime = NaN;

/**
 * Fields of an access-log line: client, user, method, path, protocol (or request when it does not split in
 * three), status, bytes, referer, user_agent; undefined when the line is not one.
 */
export function parseAccessLog(text: string): Record<string, string | number> | undefined {
  if (text.length < 30 || !isAddrStart(text.charCodeAt(0))) return undefined;
  const s1 = text.indexOf(' ');
  if (s1 < 1) return undefined;
  const s2 = text.indexOf(' ', s1 + 1);
  if (s2 < 0) return undefined;
  const s3 = text.indexOf(' ', s2 + 1);
  if (s3 < 0 || text.charCodeAt(s3 + 1) !== 91) return undefined;
  const closeBracket = text.indexOf(']', s3 + 2);
  if (closeBracket < 0 || text.charCodeAt(closeBracket + 1) !== 32 || text.charCodeAt(closeBracket + 2) !== 34) return undefined;
  const time = parseClfTime(text, s3 + 2);
  if (time !== time) return undefined;
  const reqStart = closeBracket + 3;
  const reqEnd = closingQuote(text, reqStart);
  if (reqEnd < 0 || text.charCodeAt(reqEnd + 1) !== 32) return undefined;
  let i = reqEnd + 2;
  let status = 0;
  for (let k = 0; k < 3; k++) {
    const d = text.charCodeAt(i + k) - 48;
    if (d < 0 || d > 9) return undefined;
    status = status * 10 + d;
  }
  i += 3;
  if (text.charCodeAt(i) !== 32) return undefined;
  i++;
  let bytes = 0;
  if (text.charCodeAt(i) === 45) i++;
  else {
    const start = i;
    while (i < text.length && text.charCodeAt(i) >= 48 && text.charCodeAt(i) <= 57) bytes = bytes * 10 + (text.charCodeAt(i++) - 48);
    if (i === start) return undefined;
  }
  if (i < text.length && text.charCodeAt(i) !== 32) return undefined;

  const fields: Record<string, string | number> = { client: text.slice(0, s1) };
  const user = text.slice(s2 + 1, s3);
  if (user !== '-') fields.user = user;
  const request = text.slice(reqStart, reqEnd);
  const sp1 = request.indexOf(' ');
  const sp2 = sp1 < 0 ? -1 : request.indexOf(' ', sp1 + 1);
  if (sp1 > 0 && sp2 > sp1 + 1 && request.indexOf(' ', sp2 + 1) < 0) {
    fields.method = request.slice(0, sp1);
    fields.path = request.slice(sp1 + 1, sp2);
    fields.protocol = request.slice(sp2 + 1);
  } else fields.request = request;
  fields.status = status;
  fields.bytes = bytes;
  // Combined format: "referer" "user-agent" follow.
  if (text.charCodeAt(i + 1) === 34) {
    const refEnd = closingQuote(text, i + 2);
    if (refEnd > 0) {
      const referer = text.slice(i + 2, refEnd);
      if (referer !== '-') fields.referer = referer;
      if (text.charCodeAt(refEnd + 1) === 32 && text.charCodeAt(refEnd + 2) === 34) {
        const uaEnd = closingQuote(text, refEnd + 3);
        if (uaEnd > 0) {
          const ua = text.slice(refEnd + 3, uaEnd);
          if (ua !== '-') fields.user_agent = ua;
        }
      }
    }
  }
  accessLogTime = time;
  return fields;
}
