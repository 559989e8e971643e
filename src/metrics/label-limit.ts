// Bounded label values for free-text reasons: a metric's label set must not grow with every error message.

/** Distinct values one label may take before new ones are counted as "other" (keeps series bounded). */
export const MAX_LABEL_VALUES = 32;
const MAX_LABEL_LENGTH = 80;

/**
 * A short, stable label for a failure reason. Error texts carry request ids, counts and times, so the
 * recognizable part is kept: an HTTP status, an AWS exception name or a Node error code; else the text with
 * its digits masked, cut short.
 */
export function reasonLabel(reason: string): string {
  const http = /\bHTTP (\d{3})\b/.exec(reason);
  if (http) return `HTTP ${http[1]}`;
  const exception = /\b([A-Z][A-Za-z]{2,60}(?:Exception|Error))\b/.exec(reason);
  if (exception) return exception[1]!;
  const code = /\b((?:ERR_[A-Z0-9_]{2,40})|(?:E[A-Z]{3,15}))\b/.exec(reason);
  if (code) return code[1]!;
  const text = reason.replace(/\d+/g, 'N').replace(/\s+/g, ' ').trim();
  return text.length > MAX_LABEL_LENGTH ? text.slice(0, MAX_LABEL_LENGTH) : text || 'unknown';
}

/** Remembers the label values seen per scope (e.g. per destination) and folds new ones into "other" past the cap. */
export class LabelLimiter {
  readonly #seen = new Map<string, Set<string>>();
  readonly #max: number;

  constructor(max = MAX_LABEL_VALUES) {
    this.#max = max;
  }

  value(scope: string, label: string): string {
    let seen = this.#seen.get(scope);
    if (seen === undefined) {
      seen = new Set();
      this.#seen.set(scope, seen);
    }
    if (seen.has(label)) return label;
    if (seen.size >= this.#max) return 'other';
    seen.add(label);
    return label;
  }
}
