// `${NAME}` and `${NAME:-default}` in config string values, resolved from the environment after YAML parsing
// (so a value can never inject YAML structure). `$$` stands for a literal `$`.

export interface InterpolationProblem {
  path: (string | number)[];
  message: string;
}

const PATTERN = /\$\$|\$\{([A-Za-z_][A-Za-z0-9_]*)(?::-([^}]*))?\}|\$\{([^}]*)\}?/g;

export function interpolateString(value: string, env: NodeJS.ProcessEnv, path: (string | number)[], problems: InterpolationProblem[]): string {
  if (!value.includes('$')) return value;
  return value.replace(PATTERN, (match, name: string | undefined, fallback: string | undefined, bad: string | undefined) => {
    if (match === '$$') return '$';
    if (name === undefined) {
      problems.push({ path, message: `malformed variable reference ${JSON.stringify(match)}; write \${NAME} or \${NAME:-default} (NAME: letters, digits, "_"), or $$ for a literal "$"` });
      void bad;
      return match;
    }
    const found = env[name];
    if (found !== undefined && found !== '') return found;
    if (fallback !== undefined) return fallback;
    problems.push({ path, message: `environment variable ${name} is not set; export it, or write \${${name}:-default} to give a default` });
    return '';
  });
}

/** A copy of a parsed YAML tree with every string interpolated. */
export function interpolateTree(node: unknown, env: NodeJS.ProcessEnv, problems: InterpolationProblem[], path: (string | number)[] = []): unknown {
  if (typeof node === 'string') return interpolateString(node, env, path, problems);
  if (Array.isArray(node)) return node.map((v, i) => interpolateTree(v, env, problems, [...path, i]));
  if (node !== null && typeof node === 'object') {
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(node)) out[k] = interpolateTree(v, env, problems, [...path, k]);
    return out;
  }
  return node;
}
