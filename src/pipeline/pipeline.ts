// Joins reader -> records -> destination lanes, detaches lanes that fall behind, and moves checkpoints as acks
// come back (DESIGN.md "The flow", "Delivery semantics").
import type { CheckpointStore } from '../checkpoint/checkpoint-store.ts';
import type { Config } from '../config/schema.ts';
import { compareCursors } from '../journal/cursor-order.ts';
import { cursorRealtimeUs, type ReadFrom } from '../journal/journalctl-args.ts';
import { chooseReader, openReader } from '../journal/open-reader.ts';
import type { JournalEntryReader, ReaderCounters } from '../journal/reader.ts';
import type { JournalEntry } from '../model/journal-entry.ts';
import type { LogRecord } from '../model/log-record.ts';
import { NORMALIZER_FIELDS } from '../normalize/read-fields.ts';
import type { RateLimitCounters } from '../ratelimit/index.ts';
import type { Logger } from '../selflog/logger.ts';
import { CatchUp } from './catch-up.ts';
import type { Destination } from './destination.ts';
import { BufferBudget } from './buffer-budget.ts';
import { DestinationRunner, type RunnerCounters } from './destination-runner.ts';
import { Lane, type LaneStart } from './lane.ts';
import { RecordStage } from './record-stage.ts';

export interface PipelineCounters {
  reader?: ReaderCounters;
  rateLimit?: RateLimitCounters;
  runner?: (destinationId: string) => RunnerCounters;
  /** A destination was detached from the shared reader (it fell behind its buffer). */
  detached?: (destinationId: string) => void;
}

/** A destination's state, for /healthz and the metrics. */
export interface LaneStatus {
  id: string;
  type: string;
  /** Why it stopped for good, if it did. */
  failed: string | undefined;
  /** False while it is detached and catching up with its own reader. */
  attached: boolean;
  bufferedRecords: number;
  bufferedBytes: number;
  /** Entries read but not yet acknowledged by this destination. */
  pendingEntries: number;
  /** Cursor and journal time (ms) of the last entry committed for this destination. */
  committedCursor: string | undefined;
  committedTimeMs: number | undefined;
  /** Wall-clock ms of its last acknowledgement. */
  lastAckAt: number;
}

export interface PipelineStatus {
  /** Wall-clock ms when the shared reader last handed on entries (or started). */
  lastEntryAt: number;
  /** Journal time (ms) of the newest entry read. */
  newestEntryMs: number;
  lanes: LaneStatus[];
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

/** A detached lane: `switched` resolves once the runner it left has its answers and it has a new one. */
interface CatchUpEntry {
  catchUp: CatchUp | undefined;
  switched: Promise<unknown>;
  done: Promise<void>;
}

/** How often multiline buffers, rate-limit windows and checkpoints are looked at. */
const TICK_MS = 100;


export class Pipeline {
  readonly #opts: PipelineOptions;
  readonly #config: Config;
  readonly #log: Logger;
  readonly #lanes: Lane[] = [];
  readonly #stage: RecordStage;
  /** Detached lanes: their catch-up, once the requests of the runner they left have answered. */
  readonly #catchUps = new Map<Lane, CatchUpEntry>();
  /** What every destination's runner (catch-ups' too) holds, bounded together. */
  readonly #budget: BufferBudget;
  #reader: JournalEntryReader | undefined;
  #stopping = false;
  /** Resolved by stop(): ends the reader's wait for full destinations (up to backlog_detach_after) at once. */
  readonly #stopped: Promise<void>;
  #resolveStopped!: () => void;
  #lastSeq = 0;
  #ticker: NodeJS.Timeout | undefined;
  #lastCheckpointAt = 0;
  #checkpointWrite: Promise<void> = Promise.resolve();
  /** Closed while catch-ups hand over: the shared loop waits on it before its next batch. */
  #gate: Promise<void> | undefined;
  #openGate: (() => void) | undefined;
  #gateHolders = 0;

  constructor(options: PipelineOptions) {
    this.#opts = options;
    this.#config = options.config;
    this.#log = options.logger;
    this.#stopped = new Promise((resolve) => (this.#resolveStopped = resolve));
    this.#budget = new BufferBudget(options.config.pipeline.buffer_records, options.config.pipeline.buffer_bytes);
    this.#stage = new RecordStage(options.config, options.host, { deliver: this.#deliver, dropped: this.#dropped }, options.counters?.rateLimit);
  }

  status(): PipelineStatus {
    return {
      lastEntryAt: this.#stage.lastEntryAt,
      newestEntryMs: this.#stage.newestEntryMs,
      lanes: this.#lanes.map((lane) => {
        const cursor = lane.committedCursor;
        const us = cursor === undefined ? undefined : cursorRealtimeUs(cursor);
        return {
          id: lane.id,
          type: lane.runner.destination.type,
          failed: lane.failed,
          attached: lane.attached,
          bufferedRecords: lane.runner.bufferedRecords,
          bufferedBytes: lane.runner.bufferedBytes,
          pendingEntries: lane.pendingEntries,
          committedCursor: cursor,
          committedTimeMs: us === undefined ? undefined : Math.floor(us / 1000),
          lastAckAt: lane.lastAckAt,
        };
      }),
    };
  }

  /** Reads until stop() is called (or, with follow false, to the end of the journal), then shuts down. */
  async run(options: { follow?: boolean } = {}): Promise<void> {
    const reader = chooseReader(this.#config.journal.reader, this.#log);
    const from = await this.#openLanes();
    if (this.#lanes.length === 0) throw new Error('no destination could start');
    this.#reader = openReader(reader, { ...this.#config.journal, from, follow: options.follow ?? true, fields: NORMALIZER_FIELDS }, this.#log, this.#opts.counters?.reader);
    // Not unref'd: it keeps the process alive while run() has work. The runners' and catch-ups' own tickers are
    // (a runner lives on after it is closed), and without a reader following the journal, a catch-up waiting for
    // a batch to age out or a checkpoint to move had nothing else holding the event loop: `run --no-follow`
    // exited (code 13, "unsettled top-level await") before delivering what it had read.
    this.#ticker = setInterval(() => this.#tick(), TICK_MS);
    this.#log.info({ reader, from: from.kind === 'after' ? from.cursor : from.kind, destinations: this.#lanes.map((l) => l.id) }, 'reading the journal');
    try {
      for await (const batch of this.#reader.batches()) {
        if (this.#gate) await this.#gate;
        this.#process(batch);
        await this.#backpressure();
        if (this.#stopping) break;
      }
      // Reading to the end without following: let detached destinations catch up before the end too.
      while (!this.#stopping && this.#catchUps.size > 0) await Promise.all([...this.#catchUps.values()].map((c) => c.done));
    } finally {
      clearInterval(this.#ticker);
    }
    await this.#drain();
  }

  /** Graceful stop: reading ends, buffers are flushed within the shutdown timeout, checkpoints committed. */
  stop(): void {
    if (this.#stopping) return;
    this.#stopping = true;
    this.#resolveStopped();
    this.#reader?.stop();
    for (const { catchUp } of this.#catchUps.values()) catchUp?.stop();
    this.#gateHolders = 0;
    this.#openGate?.();
  }

  /**
   * Holds the shared reader before its next batch. The loop is always at an await between batches when this
   * runs, so every lane has been fed exactly through the returned seq.
   */
  #pauseShared(): Promise<number> {
    if (this.#gateHolders++ === 0) this.#gate = new Promise((resolve) => (this.#openGate = resolve));
    return Promise.resolve(this.#lastSeq);
  }

  #resumeShared(): void {
    if (this.#gateHolders === 0 || --this.#gateHolders > 0) return;
    this.#gate = undefined;
    this.#openGate?.();
  }

  #newRunner(destination: Destination, lane: () => Lane): DestinationRunner {
    return new DestinationRunner(destination, {
      logger: this.#log.child({ destination: destination.id }),
      onDone: (seq, joined) => lane().ackSeqs(seq, joined),
      onFatal: (reason) => {
        lane().failed = reason;
        this.#onLaneFailed(lane());
      },
      ...(this.#opts.counters?.runner ? { counters: this.#opts.counters.runner(destination.id) } : {}),
      budget: this.#budget,
    });
  }

  async #openLanes(): Promise<ReadFrom> {
    const { checkpoints, destinations } = this.#opts;
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
      const from: ReadFrom = checkpoint ? { kind: 'after', cursor: checkpoint.cursor } : { kind: this.#config.journal.start };
      const laneStart: LaneStart = from.kind === 'after' ? { kind: 'after', cursor: from.cursor } : from.kind === 'tail' ? { kind: 'since', sinceUs: startedUs } : { kind: 'all' };
      const lane: Lane = new Lane(this.#newRunner(destination, () => lane), from, laneStart, checkpoint?.cursor);
      starts.push({ lane, from });
      log.info({ checkpoint: checkpoint?.cursor ?? null, start: from.kind }, 'destination ready');
    }
    // One reader for every lane, starting at the earliest point any lane needs; lanes further on skip ahead.
    let earliest: ReadFrom = { kind: 'tail' };
    for (const { from } of starts) {
      if (from.kind === 'head' || earliest.kind === 'head') earliest = { kind: 'head' };
      else if (from.kind === 'after' && (earliest.kind !== 'after' || compareCursors(from.cursor, earliest.cursor) < 0)) earliest = from;
    }
    for (const { lane, from } of starts) {
      const same = from.kind === earliest.kind && (from.kind !== 'after' || (earliest.kind === 'after' && from.cursor === earliest.cursor));
      if (same) lane.skipNothing();
      this.#lanes.push(lane);
    }
    return earliest;
  }

  #onLaneFailed(lane: Lane): void {
    this.#catchUps.get(lane)?.catchUp?.stop();
    if (this.#lanes.every((l) => l.failed)) {
      this.#log.fatal({ destination: lane.id, reason: lane.failed }, 'every destination has failed; stopping');
      process.exitCode = 1;
      this.stop();
    }
  }

  #process(batch: JournalEntry[]): void {
    const lanes = this.#lanes;
    for (const entry of batch) {
      for (const lane of lanes) if (lane.attached && !lane.failed) lane.admitEntry(entry);
      this.#stage.push(entry);
    }
    const last = batch[batch.length - 1];
    if (last) {
      this.#stage.pushed(last);
      this.#lastSeq = last.seq;
    }
  }

  readonly #deliver = (record: LogRecord): void => {
    for (const lane of this.#lanes) {
      if (!lane.attached || lane.failed) continue;
      if (lane.wants(record)) lane.runner.push(record);
      else lane.ack(record);
    }
  };

  readonly #dropped = (record: LogRecord): void => {
    for (const lane of this.#lanes) if (lane.attached) lane.ack(record);
  };

  /**
   * Waits while an attached destination's buffer is full, at most `detach_after`; a destination still full
   * then is detached: the shared reader goes on for the others, and it catches up on its own. Only while
   * another lane takes what the shared reader reads: with none (one destination, every one behind, or the
   * others detached already), detaching would have the shared reader read for nobody while the catch-ups read
   * the same entries again, twice the reading and normalizing just when the host has least CPU to spare
   * (the bench counts detachments: docs/performance.md). The reader waits for them instead.
   *
   * While a backlog is read, the wait is pipeline.backlog_detach_after (10 s) at least: the records are old
   * already, so holding the reader costs the others no freshness, while a catch-up reads and normalizes the
   * journal a second time. Measured (`BENCH_ENTRIES=300000 BENCH_SKIP_STEADY=1 npm run bench`, all four
   * destinations, load 6-9): three detachments after 1 s waits, 205 CPU s per million entries and 665 MB
   * anonymous memory; none (detach_after 600 s), 126 CPU s/M and 337 MB. The backlog's waits were 0.2-0.8 s
   * each, CloudWatch holding most of the budget: a slower destination, not a dead one.
   */
  async #backpressure(): Promise<void> {
    const { detach_after, backlog_detach_after } = this.#config.pipeline;
    const detachAfter = this.#stage.readingBacklog(Date.now()) ? Math.max(detach_after, backlog_detach_after) : detach_after;
    while (!this.#stopping) {
      const full = this.#lanes.filter((l) => l.attached && !l.failed && l.runner.full);
      if (full.length === 0) return;
      let timer: NodeJS.Timeout | undefined;
      const timeout = new Promise<void>((r) => (timer = setTimeout(r, detachAfter)));
      await Promise.race([Promise.all(full.map((l) => l.runner.whenNotFull())), timeout, this.#stopped]);
      clearTimeout(timer);
      if (this.#stopping) return;
      const behind = full.filter((l) => l.attached && !l.failed && l.runner.full);
      if (behind.length === 0) return;
      if (this.#lanes.some((l) => l.attached && !l.failed && !behind.includes(l))) {
        for (const lane of behind) this.#detach(lane);
        return;
      }
    }
  }

  #detach(lane: Lane): void {
    const old = lane.runner;
    const buffered = old.bufferedRecords;
    // The shared reader feeds it no more. Its requests out are answered first: what they delivered is
    // acknowledged, so the catch-up neither starts before it nor sends it again.
    lane.attached = false;
    this.#opts.counters?.detached?.(lane.id);
    const switched = old.retire().then(() => lane.detach(this.#newRunner(old.destination, () => lane)));
    const entry: CatchUpEntry = { catchUp: undefined, switched, done: Promise.resolve() };
    entry.done = (async () => {
      const start = await switched;
      if (this.#stopping || lane.failed) return;
      this.#log.warn(
        { destination: lane.id, buffered, resumeFrom: start.from.kind === 'after' || start.from.kind === 'at' ? start.from.cursor : start.from.kind },
        'destination fell behind its buffer: detached so the others keep shipping; it catches up from its checkpoint with its own reader',
      );
      const catchUp = new CatchUp(lane, this.#config, this.#opts.host, this.#log.child({ destination: lane.id, catchUp: lane.detachments }), start);
      entry.catchUp = catchUp;
      await catchUp.run({ pauseShared: () => this.#pauseShared(), resumeShared: () => this.#resumeShared() });
    })()
      .then(
        () => {},
        (error: unknown) => {
          this.#log.error({ destination: lane.id, reason: (error as Error).message }, 'catch-up reader failed');
        },
      )
      .finally(() => this.#catchUps.delete(lane));
    this.#catchUps.set(lane, entry);
  }

  #tick(): void {
    const now = Date.now();
    this.#stage.tick(now);
    const backlog = this.#stage.readingBacklog(now);
    for (const lane of this.#lanes) if (lane.attached) lane.runner.backlog = backlog && lane.mayHoldBatches(this.#config.pipeline.buffer_records);
    if (now - this.#lastCheckpointAt >= this.#config.pipeline.checkpoint_interval) {
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
    const deadline = Date.now() + this.#config.pipeline.shutdown_timeout;
    // A lane detached just now: the answers to its last requests move its checkpoint too.
    const switching = [...this.#catchUps.values()].map((c) => c.switched);
    if (switching.length > 0) {
      let timer: NodeJS.Timeout | undefined;
      await Promise.race([Promise.all(switching), new Promise((r) => (timer = setTimeout(r, Math.max(0, deadline - Date.now()))))]);
      clearTimeout(timer);
    }
    for (const { catchUp } of this.#catchUps.values()) {
      catchUp?.stop();
      catchUp?.flushAll();
    }
    this.#stage.flushAll();
    const results = await Promise.all(this.#lanes.map((lane) => (lane.failed ? true : lane.runner.flush(Math.max(0, deadline - Date.now())))));
    results.forEach((flushed, i) => {
      const lane = this.#lanes[i]!;
      if (!flushed) this.#log.warn({ destination: lane.id, buffered: lane.runner.bufferedRecords }, 'shutdown deadline passed before every record was sent; they will be sent again after the restart');
    });
    await this.#writeCheckpoints();
    await Promise.all(this.#lanes.map((lane) => lane.runner.close()));
    this.#log.info({ checkpoints: Object.fromEntries(this.#lanes.map((l) => [l.id, l.committedCursor ?? null])) }, 'stopped');
  }
}
