// Lines to stdout with backpressure; a reader that goes away (`| head`) ends the command quietly, not with EPIPE.
import { once } from 'node:events';

export class LineWriter {
  readonly #out: NodeJS.WritableStream;
  #closed = false;

  constructor(out: NodeJS.WritableStream) {
    this.#out = out;
    // EPIPE (the reader exited) or any other write failure: nobody reads any more, so stop producing.
    out.on('error', () => {
      this.#closed = true;
    });
  }

  /** False once the reader has gone: stop producing. */
  get open(): boolean {
    return !this.#closed;
  }

  /** Writes the lines, each ending with a newline; resolves when the stream can take more. */
  async write(lines: readonly string[]): Promise<boolean> {
    if (this.#closed || lines.length === 0) return !this.#closed;
    if (!this.#out.write(lines.join('\n') + '\n')) {
      const stop = new AbortController();
      const wait = (event: string) => once(this.#out, event, { signal: stop.signal }).catch(() => undefined);
      await Promise.race([wait('drain'), wait('close'), wait('error')]);
      stop.abort();
    }
    return !this.#closed;
  }
}
