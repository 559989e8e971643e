// Normalizer + rate limiter for one journal reader: entries in, records out (the shared reader has one, and
// so has each detached destination's catch-up reader, so that both make the same records).
import type { Config } from '../config/schema.ts';
import type { JournalEntry } from '../model/journal-entry.ts';
import type { LogRecord } from '../model/log-record.ts';
import { Normalizer } from '../normalize/index.ts';
import { StreamRateLimiter, type RateLimitCounters } from '../ratelimit/index.ts';

export interface RecordSink {
  /** A record to ship (including rate-limit notices, which carry seq 0). */
  deliver(record: LogRecord): void;
  /** A record the rate limiter dropped: its entries are done without being shipped. */
  dropped(record: LogRecord): void;
}

/** The journal is taken as quiet (and journal time as now) after this long without entries. */
const QUIET_MS = 1000;
/** Entries this far behind the clock, still coming in, are a backlog being read (see DestinationRunner.backlog). */
export const BACKLOG_LAG_MS = 10_000;

export class RecordStage {
  readonly #normalizer: Normalizer;
  readonly #limiter: StreamRateLimiter;
  readonly #sink: RecordSink;
  readonly #emit = (record: LogRecord): void => {
    if (this.#limiter.admit(record, this.#notice)) this.#sink.deliver(record);
    else this.#sink.dropped(record);
  };
  readonly #notice = (notice: LogRecord): void => this.#sink.deliver(notice);
  #newestEntryMs = 0;
  #lastEntryAt = Date.now();

  constructor(config: Config, host: string, sink: RecordSink, counters?: RateLimitCounters) {
    this.#normalizer = new Normalizer(config.records, host);
    this.#limiter = new StreamRateLimiter(config.rate_limit, counters);
    this.#sink = sink;
  }

  get newestEntryMs(): number {
    return this.#newestEntryMs;
  }

  get lastEntryAt(): number {
    return this.#lastEntryAt;
  }

  /** Whether this reader is reading a backlog: its entries lag the clock by BACKLOG_LAG_MS and keep coming. */
  readingBacklog(now: number): boolean {
    return now - this.#newestEntryMs > BACKLOG_LAG_MS && now - this.#lastEntryAt < QUIET_MS;
  }

  push(entry: JournalEntry): void {
    this.#normalizer.push(entry, this.#emit);
  }

  /** After a batch: remember how far journal time has come. */
  pushed(last: JournalEntry): void {
    const ms = Math.floor(last.realtimeUs / 1000);
    if (ms > this.#newestEntryMs) this.#newestEntryMs = ms;
    this.#lastEntryAt = Date.now();
  }

  /** Ships multiline records whose wait is over and ends rate-limit windows; call every ~100 ms. */
  tick(now: number): void {
    this.#normalizer.flushDue(now, this.#emit);
    // Rate-limit windows run on journal time; when the journal is quiet, journal time is now.
    const journalNow = now - this.#lastEntryAt > QUIET_MS ? Math.max(now, this.#newestEntryMs) : this.#newestEntryMs;
    this.#limiter.sweep(journalNow, this.#notice);
  }

  /** Ships everything held (at shutdown, or before a catch-up reader hands over). */
  flushAll(): void {
    this.#normalizer.flushAll(this.#emit);
    this.#limiter.flushAll(this.#notice);
  }
}
