// Reads a YAML config file into a validated Config, or a ConfigError naming the file, the key and the fix.
import { readFile } from 'node:fs/promises';
import { parseDocument } from 'yaml';
import { destinationModules } from '../../adapters/index.ts';
import { ConfigError } from '../model/errors.ts';
import { formatIssue, formatPath } from './format-issues.ts';
import { interpolateTree, type InterpolationProblem } from './interpolate.ts';
import { configSchema, destinationTypes, type Config } from './schema.ts';

/** Validates an already-parsed config tree (after YAML, before interpolation). */
export function validateConfig(tree: unknown, file: string | undefined, env: NodeJS.ProcessEnv = process.env): Config {
  if (tree === null || tree === undefined) tree = {};
  if (typeof tree !== 'object' || Array.isArray(tree)) {
    throw new ConfigError(['(top level): expected a mapping of sections (journal, destinations, ...), got ' + (Array.isArray(tree) ? 'a list' : typeof tree)], file);
  }
  const problems: InterpolationProblem[] = [];
  const input = interpolateTree(tree, env, problems);
  const issues = problems.map((p) => `${formatPath(p.path)}: ${p.message}`);
  const destinations = (input as { destinations?: unknown }).destinations;
  if (Array.isArray(destinations)) {
    destinations.forEach((d, i) => {
      const type = d !== null && typeof d === 'object' ? (d as { type?: unknown }).type : undefined;
      if (type === undefined) issues.push(`destinations[${i}].type: required; one of ${destinationTypes.join(', ')}`);
      else if (typeof type !== 'string' || !destinationTypes.includes(type)) {
        issues.push(`destinations[${i}].type: unknown destination type ${JSON.stringify(type)}; expected one of ${destinationTypes.join(', ')}`);
      }
    });
  }
  if (issues.length > 0) throw new ConfigError(issues, file);
  const result = configSchema.safeParse(input);
  if (!result.success) throw new ConfigError(result.error.issues.map((issue) => formatIssue(issue, input)), file);
  assignDestinationIds(result.data, file);
  return result.data;
}

/** Every destination gets a unique `name`: its own, else its type, then type-2, type-3... */
function assignDestinationIds(config: Config, file: string | undefined): void {
  const seen = new Map<string, number>();
  const explicit = new Set<string>();
  (config.destinations as Array<{ name?: string | undefined }>).forEach((d, i) => {
    if (d.name === undefined) return;
    if (explicit.has(d.name)) throw new ConfigError([`destinations[${i}].name: "${d.name}" is used twice; destination names must be unique (they name checkpoint files)`], file);
    explicit.add(d.name);
  });
  for (const d of config.destinations as Array<{ type: string; name?: string | undefined }>) {
    if (d.name !== undefined) continue;
    let n = seen.get(d.type) ?? 0;
    let id: string;
    do {
      n++;
      id = n === 1 ? d.type : `${d.type}-${n}`;
    } while (explicit.has(id));
    seen.set(d.type, n);
    d.name = id;
    explicit.add(id);
  }
}

/** Parses YAML text into a plain tree (not validated); syntax errors name the line and column. */
export function parseConfigYaml(text: string, file: string): unknown {
  const doc = parseDocument(text, { prettyErrors: true, uniqueKeys: true });
  if (doc.errors.length > 0) {
    throw new ConfigError(
      doc.errors.map((e) => {
        const pos = e.linePos?.[0];
        return `${pos ? `line ${pos.line}, column ${pos.col}: ` : ''}YAML syntax error: ${e.message.split('\n')[0]}`;
      }),
      file,
    );
  }
  return doc.toJS();
}

/** Parses YAML text; syntax errors name the line and column. */
export function parseConfigText(text: string, file: string, env: NodeJS.ProcessEnv = process.env): Config {
  return validateConfig(parseConfigYaml(text, file), file, env);
}

/** A config file's YAML tree, not validated (`journal-fanout logs` validates only the part it uses). */
export async function loadConfigTree(file: string): Promise<unknown> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    throw new ConfigError([`cannot read the config file (${code ?? String(error)})${code === 'ENOENT' ? '; check the path given to --config' : ''}`], file);
  }
  return parseConfigYaml(text, file);
}

export async function loadConfigFile(file: string, env: NodeJS.ProcessEnv = process.env): Promise<Config> {
  return validateConfig(await loadConfigTree(file), file, env);
}

/** The resolved config with every secret option replaced by "***", for `journal-fanout check`. */
export function maskSecrets(config: Config): Config {
  const copy = structuredClone(config);
  for (const d of copy.destinations as Array<Record<string, unknown> & { type: string }>) {
    const module = destinationModules.find((m) => m.type === d.type);
    for (const key of module?.secretKeys ?? []) if (d[key] !== undefined && d[key] !== null) d[key] = '***';
  }
  return copy;
}
