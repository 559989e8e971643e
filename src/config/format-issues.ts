// zod issues as messages an operator can act on: `destinations[1].region: required for type cloudwatch`.
import type { z } from 'zod';

export function formatPath(path: readonly PropertyKey[]): string {
  let out = '';
  for (const p of path) {
    if (typeof p === 'number') out += `[${p}]`;
    else out += out === '' ? String(p) : `.${String(p)}`;
  }
  return out || '(top level)';
}

function describeValue(v: unknown): string {
  if (v === undefined) return 'nothing';
  if (v === null) return 'null';
  if (Array.isArray(v)) return 'a list';
  if (typeof v === 'object') return 'a mapping';
  const s = JSON.stringify(v);
  return `${typeof v} ${s.length > 60 ? s.slice(0, 57) + '...' : s}`;
}

function valueAt(root: unknown, path: readonly PropertyKey[]): unknown {
  let v = root;
  for (const p of path) {
    if (v === null || typeof v !== 'object') return undefined;
    v = (v as Record<PropertyKey, unknown>)[p];
  }
  return v;
}

/** The destination type in force at a path under destinations[i], for "required for type X". */
function destinationType(root: unknown, path: readonly PropertyKey[]): string | undefined {
  if (path[0] !== 'destinations' || typeof path[1] !== 'number') return undefined;
  const t = valueAt(root, path.slice(0, 2).concat('type'));
  return typeof t === 'string' ? t : undefined;
}

export function formatIssue(issue: z.core.$ZodIssue, input: unknown): string {
  const where = formatPath(issue.path);
  const actual = valueAt(input, issue.path);
  switch (issue.code) {
    case 'unrecognized_keys':
      return issue.keys.map((k) => `${formatPath([...issue.path, k])}: unknown key; remove it or check its spelling (see docs/configuration.md)`).join('\n');
    case 'invalid_type': {
      if (actual === undefined) {
        const t = destinationType(input, issue.path);
        return `${where}: required${t ? ` for type ${t}` : ''} (expected ${issue.expected})`;
      }
      return `${where}: expected ${issue.expected}, got ${describeValue(actual)}`;
    }
    case 'invalid_value':
      return `${where}: expected one of ${issue.values.map((v) => JSON.stringify(v)).join(', ')}, got ${describeValue(actual)}`;
    case 'too_small':
    case 'too_big':
      return `${where}: ${issue.message.replace(/^Too (small|big): /, '')}, got ${describeValue(actual)}`;
    case 'invalid_format':
    case 'custom':
    default:
      return `${where}: ${issue.message}${issue.code === 'custom' || /expected/.test(issue.message) ? '' : `, got ${describeValue(actual)}`}`;
  }
}
