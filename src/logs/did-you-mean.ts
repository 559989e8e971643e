// "Did you mean": the names closest to one that does not exist, case-insensitively, substrings first.
import { distance } from 'fastest-levenshtein';

/** Suggestions shown at most. */
export const MAX_SUGGESTIONS = 5;

/**
 * Names close to `wanted`: the same name in other case first, then names that contain it or that it contains
 * (an ID given in part, a name without its prefix), then names within a few typos (a third of its length, at
 * least 2). Ties keep the smaller edit distance first, then ASCII order.
 */
export function closestNames(wanted: string, names: Iterable<string>, max = MAX_SUGGESTIONS): string[] {
  const w = wanted.toLowerCase();
  const budget = Math.max(2, Math.floor(w.length / 3));
  const scored: Array<{ name: string; rank: number; d: number }> = [];
  for (const name of new Set(names)) {
    const n = name.toLowerCase();
    const d = distance(w, n);
    if (n === w) scored.push({ name, rank: 0, d });
    else if (w.length > 0 && (n.includes(w) || (n.length > 0 && w.includes(n)))) scored.push({ name, rank: 1, d });
    else if (d <= budget) scored.push({ name, rank: 2, d });
  }
  scored.sort((a, b) => a.rank - b.rank || a.d - b.d || (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  return scored.slice(0, max).map((s) => s.name);
}

/** `unknown service "x" (detail)`, the suggestions one per line, and where to see them all. */
export function unknownNameMessage(kind: string, wanted: string, suggestions: readonly string[], listCommand: string, detail?: string): string {
  const head = `unknown ${kind} ${JSON.stringify(wanted)}${detail ? ` (${detail})` : ''}`;
  if (suggestions.length === 0) return `${head}; \`${listCommand}\` lists them`;
  return `${head}; did you mean:\n${suggestions.map((s) => `  ${s}`).join('\n')}\n(\`${listCommand}\` lists them all)`;
}
