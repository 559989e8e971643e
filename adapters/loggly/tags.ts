// Loggly tags: the characters Loggly accepts in a tag, applied to the rendered tag templates.
import type { TemplateInput } from '../../src/normalize/template.ts';
import { compileTagSet } from '../http/tag-set.ts';

/**
 * "The valid character set for a tag value includes all alpha-numeric characters, dash, period, and underscore"
 * (Loggly docs, "Tags"). Starting with a letter or digit and the length cap are conservative choices of ours,
 * so that a rendered value never makes a tag Loggly might drop.
 */
const MAX_TAG_CHARS = 64;
const INVALID_TAG_CHARS = /[^A-Za-z0-9._-]/g;
const LEADING_NON_ALNUM = /^[^A-Za-z0-9]+/;

/** A rendered value as a Loggly tag: other characters become "_"; "" when nothing usable is left. */
export function sanitizeTag(text: string): string {
  return text.replace(INVALID_TAG_CHARS, '_').replace(LEADING_NON_ALNUM, '').slice(0, MAX_TAG_CHARS);
}

/** The record's tag set as Loggly's bulk URL takes it: "web,prod" ("" for none). */
export function compileLogglyTags(templates: readonly string[], where: string): (input: TemplateInput) => string {
  return compileTagSet(templates, where, sanitizeTag);
}
