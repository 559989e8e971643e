// Generates docs/configuration.md from the zod schemas (src/config/schema.ts, adapters/*/config.ts), so that
// no option exists undocumented: `npm run docs:config` writes it, `--check` fails when the file is stale.
import { readFileSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import type { z } from 'zod';
import { destinationModules } from '../adapters/index.ts';
import { configSchema } from '../src/config/schema.ts';

export const CONFIG_DOCS_FILE = fileURLToPath(new URL('../docs/configuration.md', import.meta.url));

/** The slice of zod 4's internal definition that this walker reads. */
interface Def {
  type: string;
  innerType?: Schema;
  defaultValue?: unknown;
  element?: Schema;
  shape?: Record<string, Schema>;
  options?: Schema[];
  discriminator?: string;
  entries?: Record<string, string>;
  values?: unknown[];
  in?: Schema;
  keyType?: Schema;
  valueType?: Schema;
  format?: string;
}
type Schema = z.ZodType & { description?: string; _zod: { def: Def }; minValue?: number | null; maxValue?: number | null; isInt?: boolean };

interface Option {
  key: string;
  type: string;
  default: string;
  description: string;
  /** Set for a nested section (object) or a list of objects: its options follow under `key`. */
  children?: { prefix: string; schema: Schema };
}

const LIMIT = Number.MAX_SAFE_INTEGER;

function formatMs(ms: number): string {
  for (const [unit, size] of [['d', 86_400_000], ['h', 3_600_000], ['m', 60_000], ['s', 1000]] as const) {
    if (ms !== 0 && ms % size === 0) return `${ms / size}${unit}`;
  }
  return `${ms}ms`;
}

const isDuration = (s: Schema) => s._zod.def.type === 'pipe' && s._zod.def.in?._zod.def.type === 'union';

function typeName(s: Schema): string {
  const def = s._zod.def;
  switch (def.type) {
    case 'string':
      return def.format === 'url' ? 'URL' : 'string';
    case 'number': {
      const min = s.minValue ?? -Infinity;
      const max = s.maxValue ?? Infinity;
      const base = s.isInt || def.format === 'safeint' ? 'integer' : 'number';
      const hasMin = Math.abs(min) < LIMIT;
      const hasMax = Math.abs(max) < LIMIT;
      if (hasMin && hasMax) return `${base}, ${min} to ${max}`;
      if (hasMin) return `${base}, ${min} or more`;
      if (hasMax) return `${base}, at most ${max}`;
      return base;
    }
    case 'boolean':
      return 'boolean';
    case 'enum':
      return `one of ${Object.values(def.entries ?? {}).map((v) => `\`${v}\``).join(', ')}`;
    case 'literal':
      return (def.values ?? []).map((v) => `\`${String(v)}\``).join(', ');
    case 'array':
      return def.element!._zod.def.type === 'object' ? 'list of mappings (keys below)' : `list of ${typeName(def.element!)}`;
    case 'record':
      return `mapping of ${typeName(def.keyType!)} to ${typeName(def.valueType!)}`;
    case 'object':
      return 'mapping (keys below)';
    case 'pipe':
      return isDuration(s) ? 'duration' : typeName(def.in!);
    case 'nullable':
      return `${typeName(def.innerType!)}, or null`;
    case 'optional':
    case 'default':
    case 'prefault':
      return typeName(def.innerType!);
    case 'union':
      return (def.options ?? []).map(typeName).join(' or ');
    default:
      return def.type;
  }
}

function formatDefault(value: unknown, durationValue: boolean): string {
  if (durationValue && typeof value === 'number') return `\`${formatMs(value)}\``;
  if (typeof value === 'string') return `\`"${value}"\``;
  return `\`${JSON.stringify(value)}\``;
}

/** One option: peels optional/default/nullable wrappers, keeping the outermost description and the default. */
function describeOption(key: string, schema: Schema): Option {
  let s = schema;
  let description = s.description;
  let dflt: string | undefined;
  let optional = false;
  while (true) {
    const def = s._zod.def;
    if (def.type === 'default' || def.type === 'prefault') {
      const inner = def.innerType!;
      const base = inner._zod.def.type === 'nullable' ? inner._zod.def.innerType! : inner;
      if (base._zod.def.type !== 'object') dflt = formatDefault(def.defaultValue, isDuration(base));
    } else if (def.type === 'optional') optional = true;
    else if (def.type !== 'nullable') break;
    s = s._zod.def.innerType!;
    description ??= s.description;
  }
  // A destination's `type: z.literal(...)` discriminator says itself what it is.
  if (!description && s._zod.def.type === 'literal') description = `Selects this kind of destination`;
  if (!description) throw new Error(`${key}: option has no .describe(); every option needs one (the configuration reference is generated from it)`);
  const def = s._zod.def;
  const option: Option = { key, type: typeName(schema), default: dflt ?? (optional ? 'unset' : def.type === 'object' ? '' : '**required**'), description };
  if (def.type === 'object') option.children = { prefix: key, schema: s };
  else if (def.type === 'array' && def.element!._zod.def.type === 'object') option.children = { prefix: `${key}[]`, schema: def.element! };
  return option;
}

function rows(prefix: string, object: Schema): string[] {
  const out: string[] = [];
  for (const [name, child] of Object.entries(object._zod.def.shape ?? {})) {
    const option = describeOption(prefix ? `${prefix}.${name}` : name, child);
    if (option.children && option.children.schema._zod.def.type === 'object' && option.type === 'mapping (keys below)') {
      out.push(...rows(option.children.prefix, option.children.schema));
      continue;
    }
    out.push(row(option));
    if (option.children) out.push(...rows(option.children.prefix, option.children.schema));
  }
  return out;
}

const cell = (text: string) => text.replace(/\|/g, '\\|').replace(/\n/g, ' ');
const row = (o: Option) => `| \`${o.key}\` | ${cell(o.type)} | ${o.default} | ${cell(o.description)} |`;
const TABLE_HEAD = ['| key | type | default | meaning |', '| --- | --- | --- | --- |'];

export interface DocsSources {
  config?: z.ZodType;
  modules?: ReadonlyArray<{ type: string; schema: z.ZodType; secretKeys: readonly string[] }>;
}

/** The reference text; throws naming the key when an option has no description. */
export function renderConfigDocs(sources: DocsSources = {}): string {
  const config = sources.config ?? configSchema;
  const modules = sources.modules ?? destinationModules;
  const lines = [
    '# Configuration reference',
    '',
    '<!-- GENERATED by `npm run docs:config` (scripts/gen-config-docs.ts) from the zod schemas in src/config/schema.ts',
    '     and adapters/<type>/config.ts. Do not edit: change the .describe() text and run it again.',
    '     test/config/config-docs.test.ts fails when this file differs from the schemas. -->',
    '',
    'journal-fanout reads one YAML file (`--config FILE`). Every key is optional unless marked **required**; a key the',
    'schema does not know is an error, and so is a value of the wrong type; `journal-fanout check --config FILE` prints',
    'the resolved config (defaults filled in, secrets masked) or every problem with its key path.',
    '',
    '- **`${NAME}`** anywhere in a string value is replaced by the environment variable NAME (an unset variable is an',
    '  error). Give secrets this way, never literally.',
    '- **Durations** are `"500ms"`, `"10s"`, `"5m"`, `"1h"`, `"1d"`, or a bare number of milliseconds.',
    '- **Templates** (`"{service}"`, `"{container.name|stream}/{container.id}"`) are described in [records.md](records.md).',
    '',
  ];
  const shape = (config as unknown as Schema)._zod.def.shape!;
  for (const [section, schema] of Object.entries(shape)) {
    const option = describeOption(section, schema);
    lines.push(`## \`${section}\``, '', `${option.description}.`, '');
    if (section === 'destinations') {
      lines.push(
        'A list of destinations (at least one when given); each is a mapping whose `type` says which kind it is. The same type may',
        'appear more than once (give each a distinct `name`). More on each in [destinations/](destinations/).',
        '',
      );
      for (const module of modules) {
        lines.push(`### \`type: ${module.type}\``, '', ...TABLE_HEAD, ...rows('', module.schema as unknown as Schema));
        if (module.secretKeys.length > 0) lines.push('', `Secret (masked by \`check\`, never logged): ${module.secretKeys.map((k) => `\`${k}\``).join(', ')}.`);
        lines.push('');
      }
      continue;
    }
    lines.push(...TABLE_HEAD, ...rows(section, option.children!.schema), '');
  }
  return lines.join('\n');
}

if (import.meta.main) {
  const text = renderConfigDocs();
  if (process.argv.includes('--check')) {
    let current = '';
    try {
      current = readFileSync(CONFIG_DOCS_FILE, 'utf8');
    } catch {
      // a missing file is stale too
    }
    if (current !== text) {
      process.stderr.write(`${CONFIG_DOCS_FILE} is out of date: run \`npm run docs:config\`\n`);
      process.exitCode = 1;
    }
  } else {
    writeFileSync(CONFIG_DOCS_FILE, text);
    process.stdout.write(`wrote ${CONFIG_DOCS_FILE}\n`);
  }
}
