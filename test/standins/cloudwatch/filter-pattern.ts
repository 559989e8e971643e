// The subset of CloudWatch Logs filter patterns the stand-in evaluates for FilterLogEvents (docs/logs-cli.md lists it).
//
// Implemented, after "Filter pattern syntax for metric filters, subscription filters, filter log events, and
// Live Tail" (CloudWatch Logs User Guide):
// - "" matches every event;
// - terms: `ERROR Exception` (every term), `?ERROR ?WARN` (any ?-term), `ERROR -Exiting` (no -term); terms are
//   case-sensitive and match whole words (a term is not found inside a longer word: that is what the regex
//   form `%AUTHORIZED%` is for); `"exact phrase"` (also `?"..."`, `-"..."`) matches anywhere in the message;
// - JSON: `{ $.level = "ERROR" }`, selectors `$.a.b` and `$.a[0]`, `=` `!=` with strings (`*` wildcard) or
//   numbers, `<` `>` `<=` `>=` with numbers, `IS TRUE|FALSE|NULL`, `NOT EXISTS`, `&&`, `||` and parentheses.
// Not implemented: regex (`%...%`) and space-delimited (`[a, b]`) patterns: they are refused with an
// InvalidParameterException saying so, never silently matched wrong.
import { ServiceFault } from './rules.ts';

export type EventMatcher = (message: string) => boolean;

/** FilterPattern is at most 1,024 characters (API model, shape FilterPattern). */
export const MAX_FILTER_PATTERN_LENGTH = 1024;

const invalid = (why: string): ServiceFault => new ServiceFault('InvalidParameterException', `Invalid filter pattern: ${why}`);

const WORD_CHAR = /[A-Za-z0-9]/;
const BARE_TERM = /^[A-Za-z0-9_.]+$/;

function containsWord(message: string, word: string): boolean {
  for (let at = message.indexOf(word); at >= 0; at = message.indexOf(word, at + 1)) {
    const before = at === 0 ? '' : message[at - 1]!;
    const after = message[at + word.length] ?? '';
    if (!WORD_CHAR.test(before) && !WORD_CHAR.test(after)) return true;
  }
  return false;
}

interface Term {
  kind: 'all' | 'any' | 'none';
  test: (message: string) => boolean;
}

function compileTerms(pattern: string): EventMatcher {
  const terms: Term[] = [];
  let i = 0;
  while (i < pattern.length) {
    if (/\s/.test(pattern[i]!)) {
      i++;
      continue;
    }
    let kind: Term['kind'] = 'all';
    if (pattern[i] === '?' || pattern[i] === '-') {
      kind = pattern[i] === '?' ? 'any' : 'none';
      i++;
    }
    if (pattern[i] === '"') {
      let phrase = '';
      i++;
      while (i < pattern.length && pattern[i] !== '"') {
        if (pattern[i] === '\\' && i + 1 < pattern.length) i++;
        phrase += pattern[i];
        i++;
      }
      if (i >= pattern.length) throw invalid(`unclosed quotation mark in ${JSON.stringify(pattern)}`);
      i++;
      terms.push({ kind, test: (m) => m.includes(phrase) });
      continue;
    }
    let end = i;
    while (end < pattern.length && !/\s/.test(pattern[end]!)) end++;
    const word = pattern.slice(i, end);
    i = end;
    if (word === '') throw invalid(`a lone "${kind === 'any' ? '?' : '-'}" in ${JSON.stringify(pattern)}`);
    if (word.startsWith('%') || word.startsWith('[')) {
      throw invalid(`regex (%...%) and space-delimited ([...]) patterns are not implemented by the CloudWatch stand-in`);
    }
    if (!BARE_TERM.test(word)) throw invalid(`Invalid character(s) in term '${word}'; enclose terms with other characters in double quotation marks`);
    terms.push({ kind, test: (m) => containsWord(m, word) });
  }
  const all = terms.filter((t) => t.kind === 'all');
  const any = terms.filter((t) => t.kind === 'any');
  const none = terms.filter((t) => t.kind === 'none');
  return (message) => all.every((t) => t.test(message)) && !none.some((t) => t.test(message)) && (any.length === 0 || any.some((t) => t.test(message)));
}

// ---- JSON patterns ----

type Token = { type: 'punct'; value: string } | { type: 'string'; value: string } | { type: 'word'; value: string };

function tokenize(text: string): Token[] {
  const out: Token[] = [];
  let i = 0;
  while (i < text.length) {
    const c = text[i]!;
    if (/\s/.test(c)) {
      i++;
      continue;
    }
    const two = text.slice(i, i + 2);
    if (['&&', '||', '!=', '<=', '>='].includes(two)) {
      out.push({ type: 'punct', value: two });
      i += 2;
      continue;
    }
    if ('()=<>'.includes(c)) {
      out.push({ type: 'punct', value: c });
      i++;
      continue;
    }
    if (c === '"') {
      let value = '';
      i++;
      while (i < text.length && text[i] !== '"') {
        if (text[i] === '\\' && i + 1 < text.length) i++;
        value += text[i];
        i++;
      }
      if (i >= text.length) throw invalid('unclosed quotation mark in a JSON pattern');
      i++;
      out.push({ type: 'string', value });
      continue;
    }
    let end = i;
    while (end < text.length && !/[\s()=<>!&|"]/.test(text[end]!)) end++;
    if (end === i) throw invalid(`unexpected ${JSON.stringify(c)} in a JSON pattern`);
    out.push({ type: 'word', value: text.slice(i, end) });
    i = end;
  }
  return out;
}

type Path = Array<string | number>;

function parseSelector(text: string): Path {
  if (!text.startsWith('$')) throw invalid(`expected a selector such as $.level, got ${JSON.stringify(text)}`);
  const path: Path = [];
  const re = /\.([A-Za-z0-9_@-]+)|\[(\d+)\]/y;
  re.lastIndex = 1;
  while (re.lastIndex < text.length) {
    const at = re.lastIndex;
    const m = re.exec(text);
    if (!m) throw invalid(`bad selector ${JSON.stringify(text)} at position ${at}`);
    path.push(m[1] !== undefined ? m[1] : Number(m[2]));
  }
  if (path.length === 0) throw invalid(`the selector ${JSON.stringify(text)} names no field`);
  return path;
}

const MISSING = Symbol('missing');

function select(doc: unknown, path: Path): unknown {
  let v: unknown = doc;
  for (const p of path) {
    if (typeof p === 'number') {
      if (!Array.isArray(v) || p >= v.length) return MISSING;
      v = v[p];
    } else {
      if (v === null || typeof v !== 'object' || Array.isArray(v) || !Object.hasOwn(v, p)) return MISSING;
      v = (v as Record<string, unknown>)[p];
    }
  }
  return v;
}

type JsonTest = (doc: unknown) => boolean;

function wildcard(value: string): (s: string) => boolean {
  if (!value.includes('*')) return (s) => s === value;
  const re = new RegExp('^' + value.split('*').map((part) => part.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')).join('.*') + '$', 's');
  return (s) => re.test(s);
}

function comparison(path: Path, op: string, value: Token): JsonTest {
  const numeric = value.type === 'word' && /^-?\d+(\.\d+)?([eE][-+]?\d+)?$/.test(value.value);
  if (numeric) {
    const n = Number(value.value);
    const cmp: Record<string, (a: number) => boolean> = {
      '=': (a) => a === n,
      '!=': (a) => a !== n,
      '<': (a) => a < n,
      '>': (a) => a > n,
      '<=': (a) => a <= n,
      '>=': (a) => a >= n,
    };
    const f = cmp[op]!;
    return (doc) => {
      const v = select(doc, path);
      return typeof v === 'number' && f(v);
    };
  }
  if (op !== '=' && op !== '!=') throw invalid(`${op} compares numbers; ${JSON.stringify(value.value)} is not a number`);
  const matches = wildcard(value.value);
  return (doc) => {
    const v = select(doc, path);
    if (v === MISSING || v === null || typeof v === 'object') return false;
    const hit = matches(String(v));
    return op === '=' ? hit : !hit;
  };
}

function compileJson(body: string): EventMatcher {
  const tokens = tokenize(body);
  let pos = 0;
  const peek = () => tokens[pos];
  const next = () => {
    const t = tokens[pos++];
    if (!t) throw invalid('the JSON pattern ends too early');
    return t;
  };
  const isPunct = (t: Token | undefined, value: string) => t?.type === 'punct' && t.value === value;

  function primary(): JsonTest {
    if (isPunct(peek(), '(')) {
      next();
      const inner = or();
      if (!isPunct(next(), ')')) throw invalid('expected ")" in a JSON pattern');
      return inner;
    }
    const sel = next();
    if (sel.type !== 'word') throw invalid(`expected a selector such as $.level, got ${JSON.stringify(sel.value)}`);
    const path = parseSelector(sel.value);
    const op = next();
    if (op.type === 'word' && op.value === 'IS') {
      const what = next();
      const v = what.value;
      if (v === 'TRUE' || v === 'FALSE') return (doc) => select(doc, path) === (v === 'TRUE');
      if (v === 'NULL') return (doc) => select(doc, path) === null;
      throw invalid(`expected TRUE, FALSE or NULL after IS, got ${JSON.stringify(v)}`);
    }
    if (op.type === 'word' && op.value === 'NOT') {
      if (next().value !== 'EXISTS') throw invalid('expected EXISTS after NOT');
      return (doc) => select(doc, path) === MISSING;
    }
    if (op.type !== 'punct' || !['=', '!=', '<', '>', '<=', '>='].includes(op.value)) {
      throw invalid(`expected a comparison (=, !=, <, >, <=, >=, IS, NOT EXISTS) after ${sel.value}`);
    }
    const value = next();
    if (value.type === 'punct') throw invalid(`expected a value after ${sel.value} ${op.value}`);
    return comparison(path, op.value, value);
  }
  function and(): JsonTest {
    const parts = [primary()];
    while (isPunct(peek(), '&&')) {
      next();
      parts.push(primary());
    }
    return parts.length === 1 ? parts[0]! : (doc) => parts.every((p) => p(doc));
  }
  function or(): JsonTest {
    const parts = [and()];
    while (isPunct(peek(), '||')) {
      next();
      parts.push(and());
    }
    return parts.length === 1 ? parts[0]! : (doc) => parts.some((p) => p(doc));
  }

  const test = or();
  if (pos !== tokens.length) throw invalid(`unexpected ${JSON.stringify(tokens[pos]!.value)} in a JSON pattern`);
  return (message) => {
    let doc: unknown;
    try {
      doc = JSON.parse(message);
    } catch {
      return false;
    }
    return doc !== null && typeof doc === 'object' && test(doc);
  };
}

/** Compiles a filterPattern; throws the InvalidParameterException the service would answer for a bad one. */
export function compileFilterPattern(pattern: string): EventMatcher {
  const text = pattern.trim();
  if (text === '') return () => true;
  if (text.startsWith('{')) {
    if (!text.endsWith('}')) throw invalid('a JSON pattern must end with "}"');
    return compileJson(text.slice(1, -1));
  }
  return compileTerms(text);
}
