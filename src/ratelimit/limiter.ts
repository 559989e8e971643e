// StreamRateLimiter: rsyslog-style windows per stream (service + stream), on the entries' journal time.
//
// Why per stream and on journal time: journald limits per systemd unit, so every container behind
// docker.service shares one budget and a noisy one silences the rest. Here each stream (container) has its own
// window, measured on record.time, so reading a backlog after downtime drops nothing logged at an allowed rate.
// A window opens at the first record of a stream and covers [start, start + interval); a record at or after its
// end opens the next one. Records a little before `start` (up to one interval: entries of merged journal files
// interleave slightly out of order) count in the current window; a larger jump back (clock set back) opens a
// new window rather than holding the stream in the old one until the clock catches up.
import { ConfigError } from '../model/errors.ts';
import type { LogRecord, RecordSource } from '../model/log-record.ts';
import { compileGlob, type GlobMatcher } from './glob.ts';
import { droppedNotice, startNotice, streamLimit, type StreamLimit } from './notices.ts';
import type { RateLimitOptions } from './options.ts';

/** Metrics sink. Counts are handed on in batches: at each window's end, in sweep() and in flushAll(). */
export interface RateLimitCounters {
  passed(service: string, stream: string, n: number): void;
  dropped(service: string, stream: string, n: number): void;
}

/** One stream's window. A class so every instance shares one shape; constant size whatever the traffic. */
class StreamWindow {
  readonly stream: string;
  /** The source of the window's first record; notices carry it, so they land in the stream's destinations. */
  source: RecordSource;
  start = 0;
  /** -Infinity: no window open, the next record opens one. */
  end = Number.NEGATIVE_INFINITY;
  /** Newest record time seen in this stream; idle streams are forgotten by it. */
  last = 0;
  count = 0;
  /** Dropped in this window, not yet reported by a notice. */
  dropped = 0;
  /** Not yet handed to the counters. */
  unreportedPassed = 0;
  unreportedDropped = 0;
  constructor(stream: string, source: RecordSource) {
    this.stream = stream;
    this.source = source;
  }
}

class ServiceStreams {
  readonly name: string;
  readonly limit: StreamLimit;
  readonly streams = new Map<string, StreamWindow>();
  constructor(name: string, limit: StreamLimit) {
    this.name = name;
    this.limit = limit;
  }
}

interface CompiledOverride {
  matches: GlobMatcher;
  limit: StreamLimit;
}

/** A stream with no record for this many intervals (and no notice pending) is forgotten by sweep(). */
const IDLE_INTERVALS = 2;

export class StreamRateLimiter {
  readonly #defaultLimit: StreamLimit;
  readonly #overrides: CompiledOverride[];
  /** Two levels (service, then stream) so the hot path looks up without building a key string. */
  readonly #services = new Map<string, ServiceStreams>();
  readonly #counters: RateLimitCounters | undefined;
  /** Every limit is burst 0: admit() returns at once. */
  readonly #off: boolean;

  constructor(options: RateLimitOptions, counters?: RateLimitCounters) {
    checkLimit(options.interval, options.burst, 'rate_limit');
    this.#defaultLimit = streamLimit(options.interval, options.burst);
    this.#overrides = options.overrides.map((o, i) => {
      const interval = o.interval ?? options.interval;
      const burst = o.burst ?? options.burst;
      checkLimit(interval, burst, `rate_limit.overrides[${i}]`);
      return { matches: compileGlob(o.service), limit: streamLimit(interval, burst) };
    });
    this.#counters = counters;
    this.#off = this.#defaultLimit.burst === 0 && this.#overrides.every((o) => o.limit.burst === 0);
  }

  /** true: the record passes. false: dropped (the caller acknowledges its seqs as skipped). Notices are emitted via emit, before the record when they precede it. */
  admit(record: LogRecord, emit: (notice: LogRecord) => void): boolean {
    return this.admitAt(record.source, record.time, emit);
  }

  /**
   * admit() for a record not built yet: what it uses of a record is its source and time. The proxy limits
   * syslog messages this way, before encoding them; notices carry `source` (the same object), so the caller
   * can tell whose stream they belong in.
   */
  admitAt(source: RecordSource, time: number, emit: (notice: LogRecord) => void): boolean {
    if (this.#off) return true;
    let service = this.#services.get(source.service);
    if (service === undefined) {
      service = new ServiceStreams(source.service, this.#limitFor(source.service));
      this.#services.set(source.service, service);
    }
    const limit = service.limit;
    if (limit.burst === 0) return true;
    let window = service.streams.get(source.stream);
    if (window === undefined) {
      window = new StreamWindow(source.stream, source);
      service.streams.set(source.stream, window);
    }
    // Negated so that a NaN time opens a fresh window (and passes) instead of wedging the stream.
    if (!(time < window.end && time >= window.start - limit.interval)) this.#open(service, window, source, time, emit);
    else if (time > window.last) window.last = time;
    if (window.count < limit.burst) {
      window.count++;
      window.unreportedPassed++;
      return true;
    }
    if (window.dropped === 0) emit(startNotice(time, limit, window));
    window.dropped++;
    window.unreportedDropped++;
    return false;
  }

  /** Ends windows whose end is before `journalTimeMs` (e.g. the newest entry time seen, or wall clock when idle): emits "dropped N messages" for them and forgets idle streams. */
  sweep(journalTimeMs: number, emit: (notice: LogRecord) => void): void {
    for (const [name, service] of this.#services) {
      const limit = service.limit;
      for (const [stream, window] of service.streams) {
        this.#report(service, window);
        // A window covers [start, end): it is over once the time reaches `end`.
        if (window.dropped > 0 && window.end <= journalTimeMs) {
          emit(droppedNotice(window.end, window.dropped, 'window', limit, window));
          window.dropped = 0;
          window.end = Number.NEGATIVE_INFINITY;
        }
        // Negated so that a NaN time counts as idle. Forgetting a stream whose window is over changes nothing:
        // its next record would open a new window anyway.
        if (window.dropped === 0 && !(journalTimeMs - window.last < IDLE_INTERVALS * limit.interval)) {
          service.streams.delete(stream);
        }
      }
      if (service.streams.size === 0) this.#services.delete(name);
    }
  }

  /** At shutdown: "dropped N messages" for every window that dropped something. */
  flushAll(emit: (notice: LogRecord) => void): void {
    for (const service of this.#services.values()) {
      for (const window of service.streams.values()) {
        this.#report(service, window);
        if (window.dropped > 0) {
          // The window is still open: the newest record seen is the last moment it speaks for.
          emit(droppedNotice(window.last, window.dropped, 'shutdown', service.limit, window));
          window.dropped = 0;
          window.end = Number.NEGATIVE_INFINITY;
        }
      }
    }
  }

  /** Streams currently tracked (for tests and a gauge). */
  get activeStreams(): number {
    let n = 0;
    for (const service of this.#services.values()) n += service.streams.size;
    return n;
  }

  #limitFor(service: string): StreamLimit {
    for (const o of this.#overrides) if (o.matches(service)) return o.limit;
    return this.#defaultLimit;
  }

  #open(service: ServiceStreams, window: StreamWindow, source: RecordSource, time: number, emit: (notice: LogRecord) => void): void {
    if (window.dropped > 0) {
      // Ended normally: the notice sits at the boundary. Ended by a jump back in time: at the newest record seen.
      const at = time >= window.end ? window.end : window.last;
      emit(droppedNotice(at, window.dropped, 'window', service.limit, window));
    }
    this.#report(service, window);
    window.source = source;
    window.start = time;
    window.end = time + service.limit.interval;
    window.last = time;
    window.count = 0;
    window.dropped = 0;
  }

  #report(service: ServiceStreams, window: StreamWindow): void {
    const counters = this.#counters;
    if (counters === undefined) return;
    if (window.unreportedPassed > 0) {
      counters.passed(service.name, window.stream, window.unreportedPassed);
      window.unreportedPassed = 0;
    }
    if (window.unreportedDropped > 0) {
      counters.dropped(service.name, window.stream, window.unreportedDropped);
      window.unreportedDropped = 0;
    }
  }
}

function checkLimit(interval: number, burst: number, where: string): void {
  if (!(Number.isFinite(interval) && interval >= 1)) {
    throw new ConfigError([`${where}.interval: expected a duration of at least 1 ms, got ${interval}; set e.g. "60s"`]);
  }
  if (!(Number.isInteger(burst) && burst >= 0)) {
    throw new ConfigError([`${where}.burst: expected a whole number >= 0 (0 disables), got ${burst}`]);
  }
}
