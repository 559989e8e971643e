// Service-name globs (`api-*`, `worker-?`) compiled once into matchers that run in linear-ish time, never backtrack.
//
// Why not a RegExp: `a*a*a*b` as /^a.*a.*a.*b$/ backtracks polynomially on long names, and service names come
// from the journal (container names), so they are not ours to trust. A glob made only of `*` and `?` is matched
// exactly by placing each `*`-separated segment at its leftmost possible position: a later `*` can absorb
// whatever an earlier, leftmost placement leaves over, so no placement ever needs to be revisited.
// There is no escape character: systemd unit names carry backslashes (`dev-disk-by\x2duuid`), and service
// names (ECS families, container names) cannot contain `*` or `?`.

export type GlobMatcher = (name: string) => boolean;

const STAR = '*';
const ANY = '?';

/** Does `segment` (literal text with `?` wildcards) match `name` starting at `pos`? The caller checks bounds. */
function segmentMatchesAt(name: string, segment: string, pos: number): boolean {
  for (let i = 0; i < segment.length; i++) {
    const c = segment.charCodeAt(i);
    if (c !== 0x3f /* ? */ && c !== name.charCodeAt(pos + i)) return false;
  }
  return true;
}

/** Leftmost position >= from where `segment` matches and ends at or before `limit`, or -1. */
function findSegment(name: string, segment: string, from: number, limit: number): number {
  if (!segment.includes(ANY)) {
    const at = name.indexOf(segment, from);
    return at >= 0 && at + segment.length <= limit ? at : -1;
  }
  for (let at = from; at + segment.length <= limit; at++) {
    if (segmentMatchesAt(name, segment, at)) return at;
  }
  return -1;
}

/** Compiles a glob; `?` matches one UTF-16 code unit (service names are ASCII in practice). */
export function compileGlob(pattern: string): GlobMatcher {
  if (!pattern.includes(STAR)) {
    if (!pattern.includes(ANY)) return (name) => name === pattern;
    return (name) => name.length === pattern.length && segmentMatchesAt(name, pattern, 0);
  }
  const segments = pattern.split(STAR);
  const head = segments[0]!;
  const tail = segments[segments.length - 1]!;
  // Empty middle segments come from `**`; they match anywhere and are dropped.
  const middle = segments.slice(1, -1).filter((s) => s.length > 0);
  const minLength = head.length + tail.length + middle.reduce((n, s) => n + s.length, 0);
  return (name) => {
    if (name.length < minLength) return false;
    const tailAt = name.length - tail.length;
    if (!segmentMatchesAt(name, head, 0) || !segmentMatchesAt(name, tail, tailAt)) return false;
    let pos = head.length;
    for (const segment of middle) {
      const at = findSegment(name, segment, pos, tailAt);
      if (at < 0) return false;
      pos = at + segment.length;
    }
    return true;
  };
}
