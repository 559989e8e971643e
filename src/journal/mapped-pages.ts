// Keeps the journal files that libsystemd maps from piling up in the daemon's resident memory (native reader).
//
// libsystemd reads journal files through an mmap cache of 8 MiB windows and unmaps none while it has fewer
// than 64 of them (sd-journal/mmap-cache.c): reading a large backlog leaves every page it touched resident in
// this process. Measured (bench/reader-alone.ts over 1,000,000 bench entries, /proc/PID/smaps at 8 s): 216 MB of
// journal pages resident in 65 mappings, next to 117 MB of everything else. Those pages are page cache, shared
// and reclaimable, but they count in the daemon's RSS, which is what its operators watch and what a
// container's memory limit is charged with.
//
// MADV_DONTNEED on a shared file mapping drops only this process's page-table entries: the pages stay in the
// page cache, libsystemd's windows stay mapped, and the next access maps a page again (a minor fault). It is
// never applied to a private mapping, where it would discard the process's own copy.
import { readFileSync } from 'node:fs';

/** <sys/mman.h> MADV_DONTNEED, the same on every Linux architecture. */
export const MADV_DONTNEED = 4;

/**
 * Bytes of entries read between two releases. Measured: see docs/performance.md ("Mapped journal pages").
 */
export const RELEASE_EVERY_BYTES = 16 * 1024 * 1024;

export interface MappedRange {
  start: number;
  length: number;
}

const MAPS_LINE = /^([0-9a-f]+)-([0-9a-f]+) (\S{4}) \S+ \S+ \S+\s+(.*)$/;

/**
 * The journal files' shared mappings in /proc/self/maps text: files named *.journal or *.journal~ (a file
 * journald set aside), also once deleted (vacuumed while mapped).
 */
export function journalMappings(maps: string): MappedRange[] {
  const out: MappedRange[] = [];
  for (const line of maps.split('\n')) {
    const m = MAPS_LINE.exec(line);
    if (!m) continue;
    const [, start, end, perms, path] = m as unknown as [string, string, string, string, string];
    if (perms[3] !== 's') continue;
    const file = path.endsWith(' (deleted)') ? path.slice(0, -' (deleted)'.length) : path;
    if (!file.endsWith('.journal') && !file.endsWith('.journal~')) continue;
    const from = Number.parseInt(start, 16);
    out.push({ start: from, length: Number.parseInt(end, 16) - from });
  }
  return out;
}

export type Madvise = (address: number, length: number, advice: number) => number;

/** Counts what the reader reads, and every `everyBytes` drops the journal pages mapped in this process. */
export class MappedPages {
  readonly #everyBytes: number;
  readonly #madvise: Madvise;
  readonly #readMaps: () => string;
  #sinceRelease = 0;
  /** Off for good once /proc/self/maps cannot be read (then nothing here can help). */
  #off = false;
  /** Releases done, and mappings madvise refused (counted, not thrown: the pages then stay, nothing is lost). */
  releases = 0;
  refused = 0;

  constructor(everyBytes: number, madvise: Madvise, readMaps: () => string = () => readFileSync('/proc/self/maps', 'utf8')) {
    this.#everyBytes = everyBytes;
    this.#madvise = madvise;
    this.#readMaps = readMaps;
  }

  /** Counts `bytes` read; past the interval, releases the mapped journal pages. */
  read(bytes: number): void {
    this.#sinceRelease += bytes;
    if (this.#sinceRelease >= this.#everyBytes && !this.#off) this.release();
  }

  release(): void {
    this.#sinceRelease = 0;
    let maps: string;
    try {
      maps = this.#readMaps();
    } catch {
      this.#off = true;
      return;
    }
    for (const range of journalMappings(maps)) {
      if (this.#madvise(range.start, range.length, MADV_DONTNEED) !== 0) this.refused++;
    }
    this.releases++;
  }
}
