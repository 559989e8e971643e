// Name templates such as "/ecs/{service}" or "{container.name|unit|\"host\"}", compiled once at start-up.
import { ConfigError } from '../model/errors.ts';
import type { LogRecord, RecordSource } from '../model/log-record.ts';

/** What a template reads: the record's source, and its parsed fields for `{fields.X}`. */
export type TemplateInput = Pick<LogRecord, 'source' | 'fields'>;
/** `source` is the template text; `usesFields` says whether it reads `{fields.X}` (else it depends on the source only). */
export type CompiledTemplate<I extends TemplateInput = TemplateInput> = ((input: I) => string) & { readonly source: string; readonly usesFields: boolean };

type Getter<I extends TemplateInput = TemplateInput> = (input: I) => string | undefined;
/** Names a caller adds to TEMPLATE_NAMES for its own input (`journal-fanout logs` adds time, level, message). */
export type ExtraTemplateNames<I extends TemplateInput> = Readonly<Record<string, Getter<I>>>;

function str(v: unknown): string | undefined {
  if (v === undefined || v === null || v === '') return undefined;
  if (typeof v === 'string') return v;
  if (typeof v === 'number' || typeof v === 'boolean' || typeof v === 'bigint') return String(v);
  return JSON.stringify(v);
}

const src = (pick: (s: RecordSource) => unknown): Getter => (input) => str(pick(input.source));

/** Every name a template may use, besides `fields.X`. */
export const TEMPLATE_NAMES: Readonly<Record<string, Getter>> = {
  service: src((s) => s.service),
  stream: src((s) => s.stream),
  host: src((s) => s.host),
  unit: src((s) => s.unit),
  identifier: src((s) => s.identifier),
  pid: src((s) => s.pid),
  'container.id': src((s) => s.container?.id),
  'container.name': src((s) => s.container?.name),
  'container.image': src((s) => s.container?.image),
  'ecs.cluster': src((s) => s.ecs?.cluster),
  'ecs.family': src((s) => s.ecs?.family),
  'ecs.revision': src((s) => s.ecs?.revision),
  'ecs.task_arn': src((s) => s.ecs?.taskArn),
  'ecs.task_id': src((s) => {
    const arn = s.ecs?.taskArn;
    if (!arn) return undefined;
    const slash = arn.lastIndexOf('/');
    return slash >= 0 ? arn.slice(slash + 1) : arn;
  }),
};

function fieldGetter(path: string): Getter {
  const parts = path.split('.');
  return (input) => {
    let v: unknown = input.fields;
    for (const p of parts) {
      if (v === null || typeof v !== 'object') return undefined;
      v = (v as Record<string, unknown>)[p];
    }
    return str(v);
  };
}

function alternative<I extends TemplateInput>(text: string, where: string, template: string, extra: ExtraTemplateNames<I>): Getter<I> {
  const t = text.trim();
  if (t.length >= 2 && t.startsWith('"') && t.endsWith('"')) {
    const literal = t.slice(1, -1);
    return () => literal;
  }
  if (t.startsWith('fields.') && t.length > 'fields.'.length) return fieldGetter(t.slice('fields.'.length));
  const getter = extra[t] ?? TEMPLATE_NAMES[t];
  if (!getter) {
    throw new ConfigError([
      `${where}: unknown name "${t}" in template ${JSON.stringify(template)}; use one of ${[...Object.keys(extra), ...Object.keys(TEMPLATE_NAMES)].join(', ')}, fields.X, or a "quoted default"`,
    ]);
  }
  return getter;
}

/**
 * Compile a template. Text outside braces is literal; `{a|b|"default"}` takes the first name that has a
 * value. A placeholder with no value and no default renders as "-" so that a name is never empty.
 * `where` names the config key for error messages, e.g. `destinations[0].group`.
 */
export function compileTemplate<I extends TemplateInput = TemplateInput>(template: string, where: string, extra: ExtraTemplateNames<I> = {}): CompiledTemplate<I> {
  const parts: Array<string | Array<Getter<I>>> = [];
  let usesFields = false;
  let i = 0;
  while (i < template.length) {
    const open = template.indexOf('{', i);
    const close = template.indexOf('}', i);
    if (close !== -1 && (open === -1 || close < open)) {
      throw new ConfigError([`${where}: unmatched "}" at position ${close} in template ${JSON.stringify(template)}`]);
    }
    if (open === -1) {
      parts.push(template.slice(i));
      break;
    }
    if (open > i) parts.push(template.slice(i, open));
    const end = template.indexOf('}', open);
    if (end === -1) {
      throw new ConfigError([`${where}: unclosed "{" at position ${open} in template ${JSON.stringify(template)}; close it with "}"`]);
    }
    const body = template.slice(open + 1, end);
    if (body.trim() === '') throw new ConfigError([`${where}: empty "{}" in template ${JSON.stringify(template)}; name a value such as {service}`]);
    const alternatives = body.split('|');
    if (alternatives.some((alt) => alt.trim().startsWith('fields.'))) usesFields = true;
    parts.push(alternatives.map((alt) => alternative(alt, where, template, extra)));
    i = end + 1;
  }
  const render = (input: I): string => {
    let out = '';
    for (const part of parts) {
      if (typeof part === 'string') {
        out += part;
        continue;
      }
      let value: string | undefined;
      for (const get of part) {
        value = get(input);
        if (value !== undefined) break;
      }
      out += value ?? '-';
    }
    return out;
  };
  return Object.assign(render, { source: template, usesFields });
}
