// The Fluent tag of a record: the `tag` template rendered, reduced to the characters tag patterns match safely.
import type { LogRecord, RecordSource } from '../../src/model/log-record.ts';
import { compileTemplate } from '../../src/normalize/template.ts';

/**
 * Fluentd routes by tag with patterns where `*`, `**`, `{a,b}` and spaces have meaning, and its docs advise
 * letters, digits, "." and "_" in tags; "-" is common and harmless. Anything else becomes "_", so a service
 * name never turns a tag into a pattern or splits it.
 */
const INVALID_TAG_CHARS = /[^A-Za-z0-9._-]/g;

export function sanitizeTag(text: string): string {
  const tag = text.replace(INVALID_TAG_CHARS, '_');
  return tag === '' ? '_' : tag;
}

/**
 * The tag renderer, compiled once. A template that reads only the source renders once per source object (the
 * normalizer shares one per container): the tag is the batch key, asked for every record.
 */
export function compileTag(template: string, where: string): (record: LogRecord) => string {
  const render = compileTemplate(template, where);
  if (render.usesFields) return (record) => sanitizeTag(render(record));
  const bySource = new WeakMap<RecordSource, string>();
  return (record) => {
    let tag = bySource.get(record.source);
    if (tag === undefined) {
      tag = sanitizeTag(render(record));
      bySource.set(record.source, tag);
    }
    return tag;
  };
}
