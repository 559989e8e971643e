// A detached destination's own reader: it re-reads the journal from the lane's checkpoint until it is close
// to where the shared reader is, so that one slow destination never holds the others back.
import type { Config } from '../config/schema.ts';
import type { ReadFrom } from '../journal/journalctl-args.ts';
import { chooseReader, openReader } from '../journal/open-reader.ts';
import type { JournalEntryReader } from '../journal/reader.ts';
import type { JournalEntry } from '../model/journal-entry.ts';
import { NORMALIZER_FIELDS } from '../normalize/read-fields.ts';
import type { Logger } from '../selflog/logger.ts';
import type { Lane } from './lane.ts';
import { RecordStage } from './record-stage.ts';

/** A drain that reads fewer entries than this means the catch-up is close enough to hand over. */
export const HANDOVER_BACKLOG = 2000;

/**
 * Most a catch-up may hold, in buffers (pipeline.buffer_records / buffer_bytes). A destination sends a stream's
 * batch one request at a time and `concurrency` requests at once: with more streams than that, only about
 * concurrency / streams of what is buffered can be in flight, the rest waits for its stream's turn. Within one
 * buffer, a catch-up to a CloudWatch answering in 2 s over 20 streams (concurrency 8, buffer_records 1,000) had
 * about 300 of its 1,020 records in flight: 5,000 entries took 49 s, 50,000 did not finish in 240 s. So a catch-up
 * holds ceil(streams / concurrency) buffers, at most this many: everything held may be in flight or accepted
 * past the checkpoint at a crash. Measured (JF_SOAK=1, 50,000 entries, one run each on a loaded 2-core
 * machine, batches sealed at their turn as destination-runner.ts's #sendAtTurn does): 2 buffers 145 s, 3
 * buffers 115 s (3 buffers with batches sealed when due: 157 s); five kill -9 during a catch-up sent again 4,471 entries per
 * crash with 2 buffers, 5,410 with 3, 2,531 before (docs/operations.md).
 */
export const MAX_CATCH_UP_BUFFERS = 2;

/** How many buffers a catch-up may hold with `streams` streams active and `concurrency` requests at once. */
export function catchUpBuffers(streams: number, concurrency: number): number {
  return Math.min(MAX_CATCH_UP_BUFFERS, Math.max(1, Math.ceil(streams / Math.max(1, concurrency))));
}

export interface HandoverHooks {
  /** Pauses the shared reader after its current batch; resolves with the seq of the last entry it handed on. */
  pauseShared(): Promise<number>;
  /** Lets the shared reader go on. */
  resumeShared(): void;
}

export class CatchUp {
  readonly #lane: Lane;
  readonly #config: Config;
  readonly #log: Logger;
  readonly #stage: RecordStage;
  #from: ReadFrom;
  #nextSeq: number;
  #reader: JournalEntryReader | undefined;
  /** Only the first drain starts at a checkpoint that may have been vacuumed; later ones at a cursor just read. */
  #checkCursor = true;
  #stopped = false;
  #ticker: NodeJS.Timeout | undefined;
  /** What the lane's runner may hold (catchUpBuffers), updated by the ticker as streams come and go. */
  #hold: { records: number; bytes: number };
  /** Ends a wait for the runner to hold less (#room) when the ticker raises #hold. */
  #holdRaised: (() => void) | undefined;
  /** Aborted by stop(): ends a wait for the commit point that acknowledgements would not end. */
  readonly #abort = new AbortController();

  constructor(lane: Lane, config: Config, host: string, logger: Logger, start: { from: ReadFrom; firstSeq: number }) {
    this.#lane = lane;
    this.#config = config;
    this.#log = logger;
    this.#from = start.from;
    this.#nextSeq = start.firstSeq;
    this.#hold = this.#holdLimits();
    this.#stage = new RecordStage(config, host, {
      deliver: (record) => {
        if (this.#lane.wants(record)) this.#lane.runner.push(record);
        else this.#lane.ack(record);
      },
      dropped: (record) => this.#lane.ack(record),
    });
  }

  stop(): void {
    this.#stopped = true;
    this.#abort.abort();
    this.#holdRaised?.();
    this.#reader?.stop();
  }

  /**
   * Drains the journal from the lane's checkpoint, again and again while the backlog is large, then hands
   * over: the shared reader pauses, one last drain reads up to (or past) it, and the lane rejoins.
   * Resolves true when the lane is attached again, false when stopped first.
   */
  async run(hooks: HandoverHooks): Promise<boolean> {
    this.#ticker = setInterval(() => {
      const now = Date.now();
      this.#stage.tick(now);
      const bufferRecords = this.#config.pipeline.buffer_records;
      const hold = this.#holdLimits();
      const raised = hold.records > this.#hold.records;
      this.#hold = hold;
      if (raised) this.#holdRaised?.();
      if (!this.#lane.attached) {
        this.#lane.runner.backlog = this.#stage.readingBacklog(now) && this.#lane.mayHoldBatches(bufferRecords) && this.#lane.ackedAhead < bufferRecords;
      }
    }, 100);
    this.#ticker.unref();
    try {
      while (!this.#stopped) {
        const read = await this.#drain();
        if (this.#stopped || this.#lane.failed) return false;
        if (read >= HANDOVER_BACKLOG || this.#lane.runner.full) {
          if (read === 0) await new Promise((r) => setTimeout(r, 200));
          continue;
        }
        const sharedSeq = await hooks.pauseShared();
        try {
          await this.#drain();
          if (this.#stopped || this.#lane.failed) return false;
          this.#stage.flushAll();
          const caughtUpTo = this.#from.kind === 'after' ? this.#from.cursor : undefined;
          this.#lane.attach(sharedSeq, caughtUpTo);
          this.#log.info({ destination: this.#lane.id, caughtUpTo }, 'destination caught up and rejoined the shared reader');
          return true;
        } finally {
          hooks.resumeShared();
        }
      }
      return false;
    } finally {
      clearInterval(this.#ticker);
    }
  }

  /** Reads from the current position to the end of the journal as it is now; returns the entries read. */
  async #drain(): Promise<number> {
    const kind = chooseReader(this.#config.journal.reader, this.#log);
    const reader = openReader(kind, { ...this.#config.journal, from: this.#from, follow: false, fields: NORMALIZER_FIELDS, firstSeq: this.#nextSeq, checkCursor: this.#checkCursor }, this.#log);
    this.#checkCursor = false;
    this.#reader = reader;
    const lane = this.#lane;
    const limit = this.#config.pipeline.buffer_records;
    let read = 0;
    let last: JournalEntry | undefined;
    reading: for await (const batch of reader.batches()) {
      if (batch.length === 0) continue;
      // Entry by entry, not batch by batch: a journal batch (up to HIGH_WATER_ENTRIES) is larger than the
      // buffer, and all it holds would be in flight at a crash.
      for (const entry of batch) {
        const runner = lane.runner;
        if (runner.bufferedRecords >= this.#hold.records || runner.bufferedBytes >= this.#hold.bytes || lane.ackedAhead >= limit) {
          await this.#room(limit);
          if (this.#stopped || lane.failed) break reading;
        }
        lane.admitEntry(entry);
        this.#stage.push(entry);
        last = entry;
        read++;
      }
      this.#stage.pushed(last!);
      if (this.#stopped || lane.failed) break;
    }
    // From the last entry taken, which is the reader's last unless a stop came in the middle of a batch.
    if (last) {
      this.#nextSeq = last.seq + 1;
      this.#from = { kind: 'after', cursor: last.cursor };
    } else if (reader.lastCursor) {
      this.#from = { kind: 'after', cursor: reader.lastCursor };
    }
    return read;
  }

  /**
   * Waits until the lane may take another entry: its runner holds less than its catch-up bound (#hold: one
   * buffer_records / buffer_bytes, or more with more streams than requests at once, see catchUpBuffers), and
   * fewer than buffer_records entries are acknowledged past its checkpoint. The second bound is what keeps a
   * crash during a catch-up from sending much again: a batch in retry backoff holds the checkpoint while the
   * other streams' batches are accepted, and without it the reader read on as long as the buffer had room
   * (the whole backlog behind one stuck batch). Together: a crash sends again at most what the runner holds
   * and buffer_records more, plus what was accepted since the last checkpoint write.
   */
  async #room(limit: number): Promise<void> {
    const lane = this.#lane;
    while (!this.#stopped && !lane.failed) {
      const runner = lane.runner;
      const hold = this.#hold;
      if (runner.bufferedRecords >= hold.records || runner.bufferedBytes >= hold.bytes) {
        // More streams may raise the bound meanwhile (it starts at one buffer, before any stream is seen): the
        // wait for the old bound is then withdrawn, and the loop waits for the new one.
        const wait = new AbortController();
        this.#holdRaised = () => wait.abort();
        await runner.whenHoldingBelow(hold.records, hold.bytes, wait.signal);
        this.#holdRaised = undefined;
      } else if (lane.ackedAhead >= limit) {
        // The checkpoint waits for an entry still out, and nothing more is read until it moves: batches are
        // not held open for a backlog (DestinationRunner.backlog) meanwhile, they go after flush_interval.
        // Not sealed at once: sealing every open batch at each wait makes a storm of tiny requests.
        runner.backlog = false;
        await lane.whenAckedAheadBelow(limit, this.#abort.signal);
      } else {
        return;
      }
    }
  }

  #holdLimits(): { records: number; bytes: number } {
    const runner = this.#lane.runner;
    const n = catchUpBuffers(runner.activeKeys, runner.destination.limits.concurrency);
    return { records: n * this.#config.pipeline.buffer_records, bytes: n * this.#config.pipeline.buffer_bytes };
  }

  /** At shutdown: ships what the stage holds into the runner (the pipeline flushes the runner). */
  flushAll(): void {
    this.#stage.flushAll();
  }
}
