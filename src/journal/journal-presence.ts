// Where a journal source's files are, and waiting for them: a host with no journal files (no journald, a
// container without the journal mounted) gets one clear message instead of a reader that prints nothing.
import { constants } from 'node:fs';
import { access, readdir, readFile } from 'node:fs/promises';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import type { Logger } from '../selflog/logger.ts';
import type { SessionSource } from './native-session.ts';

/** Where journald keeps the journal: volatile (Storage=volatile, or before /var is writable) and persistent. */
export const JOURNAL_ROOTS = ['/run/log/journal', '/var/log/journal'];
/** How often a source with no journal files is looked at again. */
export const PRESENCE_POLL_MS = 1000;

export interface JournalPlaces {
  /** Directories whose `*.journal` files the source reads (as libsystemd looks for them). */
  directories: string[];
  /** Directories whose subdirectories are looked into as well (a `directory` source). */
  withSubdirectories: string[];
  /** What the operator should check when nothing is there. */
  hint: string;
}

export interface PresenceOptions {
  roots?: string[];
  machineIdFile?: string;
  pollMs?: number;
}

/**
 * The directories libsystemd reads for a source (systemd sd-journal.c): for the system journal and a
 * namespace, `<root>/<machine-id>` and `<root>/<machine-id>.<namespace>` under /run/log/journal and
 * /var/log/journal, plus journal files directly in those roots; for a directory, it and its subdirectories.
 */
export async function journalPlaces(source: SessionSource, options: PresenceOptions = {}): Promise<JournalPlaces> {
  if (source.directory) {
    return { directories: [], withSubdirectories: [source.directory], hint: `journal.directory is ${source.directory}: check the path, and that journal files are written or mounted there` };
  }
  const roots = options.roots ?? JOURNAL_ROOTS;
  const machineId = (await readFile(options.machineIdFile ?? '/etc/machine-id', 'utf8').catch(() => '')).trim();
  const suffix = source.namespace ? `.${source.namespace}` : '';
  const noId = machineId ? '' : `; ${options.machineIdFile ?? '/etc/machine-id'} is missing or empty, and the journal's directories are named after it: mount the host's file`;
  const directories = machineId ? roots.map((r) => path.join(r, machineId + suffix)) : [];
  const hint = source.namespace
    ? `is the namespace's journald running (systemd-journald@${source.namespace}.service, started by a unit with LogNamespace=${source.namespace})? In a container, mount the host's ${roots.join(', ')} and /etc/machine-id${noId}`
    : `journald is not running on this host, or, in a container, the host's ${roots.join(', ')} and /etc/machine-id are not mounted${noId}`;
  return { directories: [...directories, ...roots], withSubdirectories: [], hint };
}

const isJournalFile = (name: string) => name.endsWith('.journal') || name.endsWith('.journal~');

/** Journal files in the places, and how many of them this process may read. */
export async function findJournalFiles(places: JournalPlaces): Promise<{ files: string[]; readable: number }> {
  const files: string[] = [];
  const list = async (dir: string, subdirectories: boolean) => {
    const entries = await readdir(dir, { withFileTypes: true }).catch(() => []);
    for (const e of entries) {
      if (e.isFile() && isJournalFile(e.name)) files.push(path.join(dir, e.name));
      else if (subdirectories && e.isDirectory()) await list(path.join(dir, e.name), false);
    }
  };
  for (const dir of places.directories) await list(dir, false);
  for (const dir of places.withSubdirectories) await list(dir, true);
  let readable = 0;
  for (const file of files) {
    if (await access(file, constants.R_OK).then(() => true, () => false)) readable++;
  }
  return { files, readable };
}

/**
 * Resolves true once the source has a journal file this process can read. Without `follow`, resolves false at
 * once when there is none (nothing to read). Following, it says once on the self-log which directories it
 * searched and that nothing is there yet, then looks again every second; resolves false if `signal` aborts.
 */
export async function awaitJournalFiles(source: SessionSource, follow: boolean, logger: Logger, signal: AbortSignal, options: PresenceOptions = {}): Promise<boolean> {
  const places = await journalPlaces(source, options);
  const searched = [...places.directories, ...places.withSubdirectories.map((d) => `${d} (and its subdirectories)`)];
  let said = '';
  for (;;) {
    const { files, readable } = await findJournalFiles(places);
    if (readable > 0) {
      if (said) logger.info({ searched, files: files.length }, 'journal files found: reading them');
      return true;
    }
    const problem =
      files.length > 0
        ? `${files.length} journal file(s) found but none is readable by this process (uid ${process.getuid?.() ?? '?'}): run it as root or in the systemd-journal group (Docker: --group-add with that group's id)`
        : `no journal files yet in ${searched.join(', ')}: ${places.hint}`;
    if (!follow) {
      logger.info({ searched }, `${problem}; nothing to read`);
      return false;
    }
    if (problem !== said) {
      logger.warn({ searched }, `${problem}; waiting for them (looking again every ${(options.pollMs ?? PRESENCE_POLL_MS) / 1000} s)`);
      said = problem;
    }
    try {
      await sleep(options.pollMs ?? PRESENCE_POLL_MS, undefined, { signal });
    } catch {
      return false;
    }
  }
}
