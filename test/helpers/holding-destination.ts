// A test destination that accepts everything, with a batch per container (record.source.stream), and whose
// requests can be held as a batch in retry backoff or behind a dead endpoint would be.
import { setTimeout as sleep } from 'node:timers/promises';
import type { LogRecord } from '../../src/model/log-record.ts';
import { ALL_ACCEPTED, type BatchLimits, type Destination, type Encoded, type FailureAction, type SendResult } from '../../src/pipeline/destination.ts';

/** A destination with a batch per container; a held key's requests wait until it is let go (a batch in retry backoff). */
export class HoldingDestination implements Destination<string> {
  readonly id: string;
  readonly type = 'memory';
  // Small batches and a few ms a request: the catch-up lasts long enough to watch its checkpoint move.
  readonly limits: BatchLimits = { maxEvents: 25, maxBytes: 1_000_000, flushIntervalMs: 50, concurrency: 2 };
  readonly accepted: string[] = [];
  holdAll = false;
  /** Requests started while this is true wait until it is false (those started before do not). */
  holdNew = false;
  readonly held = new Set<string>();
  constructor(id: string) {
    this.id = id;
  }
  async start(): Promise<void> {}
  key(r: LogRecord): string {
    return r.source.stream;
  }
  encode(r: LogRecord): Array<Encoded<string>> {
    return [{ data: r.message, size: r.message.length + 26, time: r.time }];
  }
  async send(key: string, events: string[]): Promise<SendResult> {
    const hold = this.holdNew;
    while (this.holdAll || this.held.has(key) || (hold && this.holdNew)) await sleep(10);
    await sleep(3);
    this.accepted.push(...events);
    return ALL_ACCEPTED;
  }
  classify(error: unknown): FailureAction {
    return { action: 'fatal', reason: String(error) };
  }
  async close(): Promise<void> {}
}
