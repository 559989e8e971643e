// Which lines continue the record before them (stack traces, indented lines): the rules of multiline joining.
import { ConfigError } from '../model/errors.ts';
import type { MultilineRule } from './options.ts';

/**
 * Block a record is in. A Python traceback runs to its final `SomeError: ...` line, then blank lines and a
 * chained traceback ("During handling of the above exception...") may follow; a Go panic or goroutine dump
 * holds blank lines and unindented `pkg.func(...)` frames.
 */
export const IN_NOTHING = 0;
export const IN_PYTHON_TRACEBACK = 1;
export const AFTER_PYTHON_TRACEBACK = 2;
export const IN_GO_DUMP = 3;
/** Returned by ContinuationRules.match for a line that starts a record of its own. */
export const NOT_CONTINUATION = -1;

function isIdentChar(c: number): boolean {
  return (c >= 97 && c <= 122) || (c >= 65 && c <= 90) || (c >= 48 && c <= 57) || c === 95 || c === 36 || c === 46;
}

/**
 * `pkg.Name` or `Name` running to a colon or the end of the line; with `qualified`, it must hold a dot and
 * end in Exception, Error or Throwable (a Java exception header such as `java.lang.IllegalStateException: x`).
 */
function exceptionHeader(line: string, qualified: boolean): boolean {
  let i = 0;
  let dot = false;
  while (i < line.length) {
    const c = line.charCodeAt(i);
    if (!isIdentChar(c)) break;
    if (c === 46) dot = true;
    i++;
  }
  if (i === 0 || (i < line.length && line.charCodeAt(i) !== 58)) return false;
  if (!qualified) return true;
  if (!dot) return false;
  const name = line.slice(0, i);
  return name.endsWith('Exception') || name.endsWith('Error') || name.endsWith('Throwable');
}

function startsWithDigitAfter(line: string, prefix: string): boolean {
  const c = line.charCodeAt(prefix.length);
  return line.startsWith(prefix) && c >= 48 && c <= 57;
}

/** The configured continuation rules, compiled once. */
export class ContinuationRules {
  readonly #indent: boolean;
  readonly #java: boolean;
  readonly #python: boolean;
  readonly #go: boolean;
  readonly #pattern: RegExp | undefined;

  constructor(rules: readonly MultilineRule[], pattern: string | undefined, where = 'records.multiline.pattern') {
    this.#indent = rules.includes('indent');
    this.#java = rules.includes('java');
    this.#python = rules.includes('python');
    this.#go = rules.includes('go');
    if (pattern !== undefined) {
      try {
        this.#pattern = new RegExp(pattern);
      } catch (error) {
        throw new ConfigError([`${where}: ${JSON.stringify(pattern)} is not a valid regular expression (${(error as Error).message}); fix or remove it`]);
      }
    }
  }

  /** The block state of a record whose first line is `line`. */
  start(line: string): number {
    if (this.#python && line.startsWith('Traceback (most recent call last):')) return IN_PYTHON_TRACEBACK;
    if (this.#go && (line.startsWith('panic: ') || line.startsWith('fatal error: ') || startsWithDigitAfter(line, 'goroutine '))) return IN_GO_DUMP;
    return IN_NOTHING;
  }

  /** The block state after `line` when it continues the record before it (in block `state`), else NOT_CONTINUATION. */
  match(line: string, state: number): number {
    const c = line.charCodeAt(0);
    const indented = c === 32 || c === 9;
    if (state === IN_PYTHON_TRACEBACK) {
      if (indented || line.length === 0) return state;
      if (line.startsWith('Traceback (most recent call last):')) return state;
      if (exceptionHeader(line, false)) return AFTER_PYTHON_TRACEBACK;
    } else if (state === AFTER_PYTHON_TRACEBACK) {
      if (line.length === 0) return state;
      if (line.startsWith('During handling of the above exception') || line.startsWith('The above exception was the direct cause')) return IN_PYTHON_TRACEBACK;
    } else if (state === IN_GO_DUMP) {
      if (indented || line.length === 0) return state;
      if (line.charCodeAt(line.length - 1) === 41 || line.startsWith('created by ') || line.startsWith('[signal ') || startsWithDigitAfter(line, 'goroutine ')) return state;
    }
    if (indented && this.#indent) return state === AFTER_PYTHON_TRACEBACK ? IN_NOTHING : state;
    if (this.#java && (c === 67 || c === 83 || (c >= 97 && c <= 122))) {
      if (line.startsWith('Caused by: ') || line.startsWith('Suppressed: ') || exceptionHeader(line, true)) return IN_NOTHING;
    }
    if (this.#python && line.startsWith('Traceback (most recent call last):')) return IN_PYTHON_TRACEBACK;
    if (this.#go) {
      if (startsWithDigitAfter(line, 'goroutine ')) return IN_GO_DUMP;
      if (line.startsWith('[signal ')) return IN_NOTHING;
    }
    if (this.#pattern !== undefined && this.#pattern.test(line)) return IN_NOTHING;
    return NOT_CONTINUATION;
  }
}
