// Joins reader -> normalizer -> rate limiter -> destination lanes, and moves checkpoints as acks come back.
import type { CheckpointStore } from '../checkpoint/checkpoint-store.ts';
import type { Config } from '../config/schema.ts';
import { compareCursors } from '../journal/cursor-order.ts';
import { JournalReader, type ReaderCounters } from '../journal/journal-reader.ts';
import type { ReadFrom } from '../journal/journalctl-args.ts';
import type { JournalEntry } from '../model/journal-entry.ts';
import type { LogRecord } from '../model/log-record.ts';
import { Normalizer } from '../normalize/index.ts';
import { StreamRateLimiter, type RateLimitCounters } from '../ratelimit/index.ts';
import type { Logger } from '../selflog/logger.ts';
import type { Destination } from './destination.ts';
import { DestinationRunner, type RunnerCounters } from './destination-runner.ts';
import { Lane, type LaneStart } from './lane.ts';

export interface PipelineCounters {
  reader?: ReaderCounters;
  rateLimit?: RateLimitCounters;
  runner?: (destinationId: string) => RunnerCounters;
}

export interface PipelineOptions {
  config: Config;
  destinations: Destination[];
  /** null in a dry run: nothing is written. */
  checkpoints: CheckpointStore | null;
  host: string;
  logger: Logger;
  counters?: PipelineCounters;
}

/** How often multiline buffers, rate-limit windows and checkpoints are looked at. */
const TICK_MS = 100;

export class Pipeline {
  readonly #opts: PipelineOptions;
  readonly #log: Logger;
  readonly #lanes: Lane[] = [];
  readonly #normalizer: Normalizer;
  readonly #limiter: StreamRateLimiter;
  #reader: JournalReader | undefined;
  #stopping = false;
  #newestEntryMs = 0;
  #lastEntryAt = Date.now();
  #ticker: NodeJS.Timeout | undefined;
  #lastCheckpointAt = 0;
  #checkpointWrite: Promise<void> = Promise.resolve();

  constructor(options: PipelineOptions) {
    this.#opts = options;
    this.#log = options.logger;
    this.#normalizer = new Normalizer(options.config.records, options.host);
    this.#limiter = new StreamRateLimiter(options.config.rate_limit, options.counters?.rateLimit);
  }

  get lanes(): readonly Lane[] {
    return this.#lanes;
  }

  /** Reads until stop() is called (or, with follow false, to the end of the journal), then shuts down. */
  async run(options: { follow?: boolean } = {}): Promise<void> {
    const { config } = this.#opts;
    const from = await this.#openLanes();
    if (this.#lanes.length === 0) throw new Error('no destination could start');
    this.#reader = new JournalReader({ ...config.journal, from, follow: options.follow ?? true }, this.#log, this.#opts.counters?.reader);
    this.#ticker = setInterval(() => this.#tick(), TICK_MS);
    this.#ticker.unref();
    this.#log.info({ from: from.kind === 'after' ? from.cursor : from.kind, destinations: this.#lanes.map((l) => l.id) }, 'reading the journal');
    try {
      for await (const batch of this.#reader.batches()) {
        this.#process(batch);
        await this.#backpressure();
        if (this.#stopping) break;
      }
    } finally {
      clearInterval(this.#ticker);
    }
    await this.#drain();
  }

  /** Graceful stop: reading ends, buffers are flushed within the shutdown timeout, checkpoints committed. */
  stop(): void {
    if (this.#stopping) return;
    this.#stopping = true;
    this.#reader?.stop();
  }

  async #openLanes(): Promise<ReadFrom> {
    const { config, checkpoints, destinations } = this.#opts;
    const startedUs = Date.now() * 1000;
    const starts: Array<{ lane: Lane; from: ReadFrom }> = [];
    for (const destination of destinations) {
      const log = this.#log.child({ destination: destination.id });
      try {
        await destination.start();
      } catch (error) {
        const err = error as Error & { fatal?: boolean };
        if (err.fatal) {
          log.error({ reason: err.message }, 'destination failed its start-up check and is not started; the others run');
          continue;
        }
        log.warn({ reason: err.message }, 'destination start-up check failed; sends will be retried');
      }
      const checkpoint = checkpoints ? await checkpoints.read(destination.id) : undefined;
      const runner: DestinationRunner = new DestinationRunner(destination, {
        logger: log,
        onDone: (record) => lane.ack(record),
        onFatal: (reason) => {
          lane.failed = reason;
          this.#onLaneFailed(lane);
        },
        ...(this.#opts.counters?.runner ? { counters: this.#opts.counters.runner(destination.id) } : {}),
        maxBufferedRecords: config.pipeline.buffer_records,
        maxBufferedBytes: config.pipeline.buffer_bytes,
      });
      const from: ReadFrom = checkpoint ? { kind: 'after', cursor: checkpoint.cursor } : { kind: config.journal.start };
      const laneStart: LaneStart = from.kind === 'after' ? { kind: 'after', cursor: from.cursor } : from.kind === 'tail' ? { kind: 'since', sinceUs: startedUs } : { kind: 'all' };
      const lane = new Lane(runner, laneStart, checkpoint?.cursor);
      starts.push({ lane, from });
      log.info({ checkpoint: checkpoint?.cursor ?? null, start: from.kind }, 'destination ready');
    }
    // One reader for every lane, starting at the earliest point any lane needs; lanes further on skip ahead.
    let earliest: ReadFrom = { kind: 'tail' };
    for (const { from } of starts) {
      if (from.kind === 'head' || earliest.kind === 'head') earliest = { kind: 'head' };
      else if (from.kind === 'after' && (earliest.kind === 'tail' || compareCursors(from.cursor, earliest.cursor) < 0)) earliest = from;
    }
    for (const { lane, from } of starts) {
      // A lane that starts exactly where the reader starts has nothing to skip.
      if (from.kind === earliest.kind && (from.kind !== 'after' || (earliest.kind === 'after' && from.cursor === earliest.cursor))) lane.skipNothing();
      this.#lanes.push(lane);
    }
    return earliest;
  }

  #onLaneFailed(lane: Lane): void {
    const live = this.#lanes.filter((l) => !l.failed);
    if (live.length === 0) {
      this.#log.fatal({ destination: lane.id, reason: lane.failed }, 'every destination has failed; stopping');
      process.exitCode = 1;
      this.stop();
    }
  }

  #process(batch: JournalEntry[]): void {
    const lanes = this.#lanes;
    const emit = (record: LogRecord) => this.#admit(record);
    for (const entry of batch) {
      for (const lane of lanes) if (!lane.failed) lane.admitEntry(entry);
      this.#normalizer.push(entry, emit);
    }
    const last = batch[batch.length - 1];
    if (last) {
      this.#newestEntryMs = Math.max(this.#newestEntryMs, Math.floor(last.realtimeUs / 1000));
      this.#lastEntryAt = Date.now();
    }
  }

  #admit(record: LogRecord): void {
    if (this.#limiter.admit(record, this.#deliver)) {
      this.#deliver(record);
      return;
    }
    for (const lane of this.#lanes) lane.ack(record);
  }

  readonly #deliver = (record: LogRecord): void => {
    for (const lane of this.#lanes) {
      if (lane.failed) continue;
      if (lane.wants(record)) lane.runner.push(record);
      else lane.ack(record);
    }
  };

  async #backpressure(): Promise<void> {
    for (const lane of this.#lanes) {
      if (!lane.failed && lane.runner.full) await lane.runner.whenNotFull();
    }
  }

  #tick(): void {
    const now = Date.now();
    this.#normalizer.flushDue(now, (r) => this.#admit(r));
    // Rate-limit windows run on journal time; when the journal is quiet, journal time is now.
    const journalNow = now - this.#lastEntryAt > 1000 ? Math.max(now, this.#newestEntryMs) : this.#newestEntryMs;
    this.#limiter.sweep(journalNow, this.#deliver);
    if (now - this.#lastCheckpointAt >= this.#opts.config.pipeline.checkpoint_interval) {
      this.#lastCheckpointAt = now;
      void this.#writeCheckpoints();
    }
  }

  #writeCheckpoints(): Promise<void> {
    const store = this.#opts.checkpoints;
    if (!store) return Promise.resolve();
    this.#checkpointWrite = this.#checkpointWrite.then(async () => {
      for (const lane of this.#lanes) {
        const cursor = lane.takeCheckpoint();
        if (cursor === undefined) continue;
        try {
          await store.write(lane.id, cursor);
        } catch (error) {
          this.#log.error({ destination: lane.id, file: store.fileOf(lane.id), reason: (error as Error).message }, 'cannot write checkpoint; will try again');
          lane.forgetWrittenCheckpoint();
        }
      }
    });
    return this.#checkpointWrite;
  }

  async #drain(): Promise<void> {
    const deadline = Date.now() + this.#opts.config.pipeline.shutdown_timeout;
    this.#normalizer.flushAll((r) => this.#admit(r));
    this.#limiter.flushAll(this.#deliver);
    const results = await Promise.all(this.#lanes.map((lane) => (lane.failed ? true : lane.runner.flush(Math.max(0, deadline - Date.now())))));
    results.forEach((flushed, i) => {
      const lane = this.#lanes[i]!;
      if (!flushed) this.#log.warn({ destination: lane.id, buffered: lane.runner.bufferedRecords }, 'shutdown deadline passed before every record was sent; they will be sent again after the restart');
    });
    await this.#writeCheckpoints();
    await Promise.all(this.#lanes.map((lane) => lane.runner.close()));
    this.#log.info({ checkpoints: Object.fromEntries(this.#lanes.map((l) => [l.id, l.tracker.committedCursor ?? null])) }, 'stopped');
  }
}
