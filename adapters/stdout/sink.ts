// The stdout destination: each batch is written as lines, and acknowledged once the stream took it.
import type { Writable } from 'node:stream';
import { jsonLineBytes, recordToJsonLine, recordToText } from '../../src/normalize/encode.ts';
import type { LogRecord } from '../../src/model/log-record.ts';
import { ALL_ACCEPTED, type Destination, type DestinationContext, type Encoded, type FailureAction, type SendResult } from '../../src/pipeline/destination.ts';
import type { StdoutOptions } from './config.ts';
import { LINE_BATCHES, LineBatch } from '../http/line-batch.ts';

export class StdoutDestination implements Destination<string, LineBatch | readonly string[]> {
  readonly type = 'stdout';
  readonly id: string;
  readonly limits = { maxEvents: 2000, maxBytes: 1 << 20, flushIntervalMs: 100, concurrency: 1 };
  /**
   * Lines kept as bytes (see LineBatch). Measured: joining a batch's lines into one string to write it was 4-5% of
   * the daemon's CPU samples with all four destinations (each line is the engine's rope of its parts, flattened
   * there), and the lines were JS strings alive until the batch went.
   */
  readonly batches = LINE_BATCHES;
  readonly #json: boolean;
  readonly #out: Writable;

  constructor(options: StdoutOptions, context: DestinationContext, out: Writable = process.stdout) {
    this.id = context.id;
    this.#json = options.format !== 'text';
    this.#out = out;
  }

  async start(): Promise<void> {}

  key(): string {
    return '';
  }

  encode(record: LogRecord): Array<Encoded<string>> {
    if (this.#json) return [{ data: recordToJsonLine(record) + '\n', size: jsonLineBytes(record) + 1, time: record.time }];
    const line = recordToText(record) + '\n';
    return [{ data: line, size: Buffer.byteLength(line), time: record.time }];
  }

  send(_key: string, lines: LineBatch | readonly string[]): Promise<SendResult> {
    const body = lines instanceof LineBatch ? lines.body('', '', '') : lines.join('');
    return new Promise((resolve, reject) => {
      this.#out.write(body, (err) => (err ? reject(err) : resolve(ALL_ACCEPTED)));
    });
  }

  classify(error: unknown): FailureAction {
    const code = (error as NodeJS.ErrnoException | undefined)?.code;
    // A closed pipe will not reopen: nobody reads what we would print.
    if (code === 'EPIPE' || code === 'ERR_STREAM_DESTROYED') return { action: 'fatal', reason: `stdout is closed (${code})` };
    return { action: 'retry', reason: `writing to stdout failed: ${String(error)}` };
  }

  async close(): Promise<void> {}
}
