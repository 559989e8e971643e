// Docker container names the ECS agent gives: `ecs-<family>-<revision>-<container>-<hex>`.

export interface EcsName {
  family: string;
  revision: string;
  container: string;
}

function isHex(text: string, from: number, to: number): boolean {
  for (let i = from; i < to; i++) {
    const c = text.charCodeAt(i);
    if (!((c >= 48 && c <= 57) || (c >= 97 && c <= 102))) return false;
  }
  return true;
}

/** Shortest random suffix accepted: the agent appends 10 random bytes (20 hex digits); allow shorter variants. */
const MIN_SUFFIX_HEX = 8;

/**
 * The parts of an ECS agent container name, or undefined when the name is not one. Family and container
 * names may hold dashes: the revision is the first all-digit part after the family's first part, so a
 * family such as `web-2-api` is misread only if it has an all-digit part of its own.
 */
export function parseEcsContainerName(name: string): EcsName | undefined {
  if (!name.startsWith('ecs-')) return undefined;
  const lastDash = name.lastIndexOf('-');
  if (lastDash < 4 || name.length - lastDash - 1 < MIN_SUFFIX_HEX || !isHex(name, lastDash + 1, name.length)) return undefined;
  let partStart = name.indexOf('-', 4) + 1;
  while (partStart > 0 && partStart < lastDash) {
    const partEnd = name.indexOf('-', partStart);
    if (partEnd < 0 || partEnd >= lastDash) return undefined;
    let digits = partEnd > partStart;
    for (let i = partStart; i < partEnd && digits; i++) {
      const c = name.charCodeAt(i);
      digits = c >= 48 && c <= 57;
    }
    if (digits) {
      return { family: name.slice(4, partStart - 1), revision: name.slice(partStart, partEnd), container: name.slice(partEnd + 1, lastDash) };
    }
    partStart = partEnd + 1;
  }
  return undefined;
}
