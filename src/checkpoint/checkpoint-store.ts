// Per-destination checkpoints: the cursor of the last entry each destination acknowledged, on disk.
import { mkdir, open, readFile, rename, unlink } from 'node:fs/promises';
import path from 'node:path';
import { ConfigError } from '../model/errors.ts';

export interface Checkpoint {
  cursor: string;
  /** When it was written (ISO 8601), for operators. */
  updated: string;
}

/**
 * Files `<directory>/<destination id>.checkpoint.json`, mode 0600, written atomically (temp file, fsync,
 * rename, fsync of the directory) so a crash leaves the old or the new checkpoint, never a torn one.
 */
export class CheckpointStore {
  readonly directory: string;
  readonly #chains = new Map<string, Promise<void>>();

  constructor(directory: string) {
    this.directory = directory;
  }

  fileOf(id: string): string {
    return path.join(this.directory, `${id}.checkpoint.json`);
  }

  /** Creates the state directory (mode 0700) or says why it cannot. */
  async init(): Promise<void> {
    try {
      await mkdir(this.directory, { recursive: true, mode: 0o700 });
      const probe = path.join(this.directory, '.write-test');
      const fh = await open(probe, 'w', 0o600);
      await fh.close();
      await unlink(probe);
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code ?? String(error);
      throw new ConfigError([
        `state.directory: cannot write checkpoints in ${this.directory} (${code}); create it writable for the daemon's user or set state.directory to a writable path`,
      ]);
    }
  }

  async read(id: string): Promise<Checkpoint | undefined> {
    const file = this.fileOf(id);
    let text: string;
    try {
      text = await readFile(file, 'utf8');
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
      throw error;
    }
    try {
      const parsed = JSON.parse(text) as Partial<Checkpoint>;
      if (typeof parsed.cursor !== 'string' || parsed.cursor === '') throw new Error('no "cursor" string');
      return { cursor: parsed.cursor, updated: String(parsed.updated ?? '') };
    } catch (error) {
      throw new ConfigError([
        `${file}: checkpoint is corrupt (${(error as Error).message}); fix it, or delete it to start this destination from journal.start`,
      ]);
    }
  }

  /** Writes a checkpoint; writes of one id are serialized in call order. */
  write(id: string, cursor: string): Promise<void> {
    const previous = this.#chains.get(id) ?? Promise.resolve();
    const next = previous.catch(() => {}).then(() => this.#writeNow(id, cursor));
    this.#chains.set(id, next);
    void next.finally(() => {
      if (this.#chains.get(id) === next) this.#chains.delete(id);
    }).catch(() => {});
    return next;
  }

  async #writeNow(id: string, cursor: string): Promise<void> {
    const file = this.fileOf(id);
    const temp = `${file}.tmp-${process.pid}`;
    const body = JSON.stringify({ cursor, updated: new Date().toISOString() } satisfies Checkpoint) + '\n';
    const fh = await open(temp, 'w', 0o600);
    try {
      await fh.writeFile(body);
      await fh.sync();
    } finally {
      await fh.close();
    }
    await rename(temp, file);
    const dir = await open(this.directory, 'r');
    try {
      await dir.sync();
    } finally {
      await dir.close();
    }
  }
}
