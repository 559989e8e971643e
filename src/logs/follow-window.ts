// Which events a --follow poll asks for and which it shows: each poll re-reads a window of recent event times
// and drops the event IDs it has shown, so late and out-of-order events appear once, and none twice.
//
// FilterLogEvents selects by event time and pages in event-time order (API reference), while events become
// searchable in ingestion order, seconds to minutes after their time (batching, the forwarder catching up,
// ingestion delay), and across streams in no order at all. A poll that started at the newest time shown would
// miss every event that arrives late with an older time. So each poll starts back from the service's clock
// at the previous poll: a few seconds back on most polls, the whole --overlap on every few ("deep" polls).
// An event is then shown if it becomes searchable no later than about --overlap after its own time.
import { SERVER_CLOCK_ERROR_MS } from './server-clock.ts';

export type PassKind = 'shallow' | 'deep';

export interface FollowWindowOptions {
  /** Oldest event time ever asked for (--since), ms. */
  since: number;
  /** How far back a deep poll reaches, ms (--overlap). */
  overlapMs: number;
  /** How far back the other polls reach, ms. */
  shallowMs: number;
}

export interface SeenEvent {
  eventId?: string | undefined;
  timestamp?: number | undefined;
  ingestionTime?: number | undefined;
  logStreamName?: string | undefined;
  message?: string | undefined;
}

export class FollowWindow {
  readonly #options: FollowWindowOptions;
  /** Event ID -> event time of every event shown that a later poll can still return. */
  readonly #seen = new Map<string, number>();
  /** Service time at the start of the last poll that finished; undefined before the first. */
  #base: number | undefined;
  #maxLatenessMs = 0;

  constructor(options: FollowWindowOptions) {
    this.#options = options;
  }

  /** startTime of the next poll of this kind: everything since --since for the first one. */
  start(kind: PassKind): number {
    if (this.#base === undefined) return this.#options.since;
    const back = (kind === 'deep' ? this.#options.overlapMs : this.#options.shallowMs) + SERVER_CLOCK_ERROR_MS;
    return Math.max(this.#options.since, this.#base - back);
  }

  /** True the first time an event is offered: show it. */
  accept(e: SeenEvent): boolean {
    const id = e.eventId || `${e.logStreamName}\u0000${e.timestamp}\u0000${e.ingestionTime}\u0000${e.message}`;
    if (this.#seen.has(id)) return false;
    const time = e.timestamp ?? 0;
    this.#seen.set(id, time);
    if (this.#base !== undefined && e.ingestionTime !== undefined) this.#maxLatenessMs = Math.max(this.#maxLatenessMs, e.ingestionTime - time);
    return true;
  }

  /**
   * A poll that began at service time `startedAt` got every page: the next polls reach back from there, and no
   * later poll can return an event older than a deep poll's start, so those IDs are forgotten.
   */
  passDone(startedAt: number): void {
    this.#base = this.#base === undefined ? startedAt : Math.max(this.#base, startedAt);
    const floor = this.start('deep');
    for (const [id, time] of this.#seen) if (time < floor) this.#seen.delete(id);
  }

  /** IDs remembered (memory follows the events of one --overlap). */
  get remembered(): number {
    return this.#seen.size;
  }

  /** The latest an event shown while following arrived after its own time (ingestion minus event time), ms. */
  get maxLatenessMs(): number {
    return this.#maxLatenessMs;
  }
}
