// The journalctl command lines the reader runs, built in one place so each journalctl trap is handled once.

export interface JournalSource {
  /** journalctl binary. */
  journalctl: string;
  namespace: string | null;
  directory: string | null;
  /** journalctl matches such as `_SYSTEMD_UNIT=docker.service` (and `+` for OR). */
  matches: readonly string[];
}

function sourceArgs(source: JournalSource): string[] {
  const args: string[] = [];
  if (source.namespace) args.push(`--namespace=${source.namespace}`);
  if (source.directory) args.push(`--directory=${source.directory}`);
  return args;
}

/** After a cursor (exclusive), at a cursor (inclusive), or from the head or the tail of the journal. */
export type ReadFrom = { kind: 'head' } | { kind: 'tail' } | { kind: 'after'; cursor: string } | { kind: 'at'; cursor: string };

/**
 * Read everything from a position to the current end, then exit. No `--follow` here on purpose: with
 * `--follow`, journalctl narrows itself to the newest boot (systemd 250-257) and silently skips the rest of an
 * earlier boot and the first entry of the new one, so a backlog is always drained without it first.
 */
export function drainArgs(source: JournalSource, from: ReadFrom): string[] {
  const args = ['--output=export', '--all', '--quiet', '--no-pager', ...sourceArgs(source)];
  if (from.kind === 'after') args.push(`--after-cursor=${from.cursor}`);
  else if (from.kind === 'at') args.push(`--cursor=${from.cursor}`);
  return [...args, ...source.matches];
}

/**
 * Follow new entries. `--no-tail` is required: `--follow` implies `--lines=10` even with `--after-cursor`,
 * which silently skips the backlog between the cursor and the last 10 entries.
 */
export function followArgs(source: JournalSource, from: ReadFrom): string[] {
  const args = ['--output=export', '--all', '--quiet', '--no-pager', '--follow', ...sourceArgs(source)];
  if (from.kind === 'after') args.push(`--after-cursor=${from.cursor}`, '--no-tail');
  else if (from.kind === 'at') args.push(`--cursor=${from.cursor}`, '--no-tail');
  else if (from.kind === 'tail') args.push('--lines=0');
  else args.push('--no-tail');
  return [...args, ...source.matches];
}

/** Print the entry at a cursor (or the nearest one journalctl can seek to), to check that the cursor still exists. */
export function probeCursorArgs(source: JournalSource, cursor: string): string[] {
  return ['--output=export', '--all', '--quiet', '--no-pager', ...sourceArgs(source), `--cursor=${cursor}`, ...source.matches];
}

/** The fields of a cursor string (`s=..;i=..;b=..;m=..;t=..;x=..`). */
export function parseCursor(cursor: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const part of cursor.split(';')) {
    const eq = part.indexOf('=');
    if (eq > 0) out[part.slice(0, eq)] = part.slice(eq + 1);
  }
  return out;
}

/** Same entry? Cursors of one entry match on seqnum id and seqnum even if journalctl prints them differently. */
export function sameEntry(a: string, b: string): boolean {
  if (a === b) return true;
  const x = parseCursor(a);
  const y = parseCursor(b);
  return x.s !== undefined && x.s === y.s && x.i !== undefined && x.i === y.i;
}

/** Microseconds since the epoch recorded in a cursor (its `t=` field), if any. */
export function cursorRealtimeUs(cursor: string): number | undefined {
  const t = parseCursor(cursor).t;
  if (!t || !/^[0-9a-f]+$/i.test(t)) return undefined;
  return parseInt(t, 16);
}
