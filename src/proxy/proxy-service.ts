// ProxyService: syslog messages in, journal entries out, each container limited on its own, nothing dropped unsaid.
//
// Per message: parse the syslog header, find the container from the tag (Docker API lookup, cached; a
// container's first lines wait for it, in order), apply the per-container limit (src/ratelimit, the same
// windows and notices as the forwarder's), encode the entry with Docker's journald driver's fields and hand
// it to the journald writer. When journald is behind, stream listeners stop reading; datagram listeners drop,
// count, and say so in the container's own stream once journald has room again.
import os from 'node:os';
import tls from 'node:tls';
import { readFileSync } from 'node:fs';
import type { JournalEntry } from '../model/journal-entry.ts';
import type { LogRecord, RecordSource } from '../model/log-record.ts';
import { SourceDeriver } from '../normalize/source.ts';
import { StreamRateLimiter } from '../ratelimit/limiter.ts';
import type { Logger } from '../selflog/logger.ts';
import { DockerLookup, type LookupFailure } from './docker-lookup.ts';
import { containerFieldList, encodeEntry, encodeFields, timestampField, type ContainerFacts } from './journal-fields.ts';
import { parseListenAddress } from './listen-address.ts';
import type { Listener, MessageSink, Origin } from './listeners/listener.ts';
import { StreamListener } from './listeners/stream-listener.ts';
import { UdpListener } from './listeners/udp-listener.ts';
import { UnixgramListener } from './listeners/unixgram-listener.ts';
import type { ProxyOptions } from './options.ts';
import type { Cell, ProxyMetrics, ProxyStatus } from './proxy-metrics.ts';
import { FRAME_CONTINUED, FRAME_MORE } from './stream-framer.ts';
import { parseSyslog, preciseUtcTimestamp, rfc3339NanoUtc } from './syslog-message.ts';

/** What the service needs of the journald writer (JournaldWriter; tests may give their own). */
export interface EntryWriter {
  write(entry: Buffer, mayDrop: boolean): boolean;
  readonly full: boolean;
  readonly queuedBytes: number;
  readonly queuedEntries: number;
  readonly connection: { connected: boolean; since: number; reason: string };
  onDrain(listener: () => void): void;
  idle(deadlineMs: number): Promise<boolean>;
}

export interface ProxyServiceOptions {
  options: ProxyOptions;
  writer: EntryWriter;
  /** Absent when proxy.docker_socket is null. */
  lookup?: DockerLookup | undefined;
  metrics: ProxyMetrics;
  logger: Logger;
  host?: string;
  now?: () => number;
}

/** Docker's log copier cuts lines at 16 KiB (moby daemon/logger/copier.go defaultBufSize): a line of exactly this many bytes is a part. */
export const DOCKER_PARTIAL_BYTES = 16 * 1024;
/** Messages (and bytes) one container may have waiting for its first lookup before they go on without it. */
const MAX_PENDING_MESSAGES = 10_000;
const MAX_PENDING_BYTES = 4 * 1024 * 1024;
/** Containers the service keeps fields for; the oldest is forgotten first (the lookup cache still knows it). */
const MAX_CONTAINERS = 8192;
/** After a failed lookup, how long a container's lines go with what the tag says before asking again. */
const REFRESH_AFTER_FAILURE_MS = 5000;
const SWEEP_INTERVAL_MS = 1000;
/** Self-log lines about lookup failures and truncated datagrams per minute, the rest counted in a summary. */
const WARNINGS_PER_MINUTE = 20;
const NOTICE_PRIORITY = 4;
const LF = 0x0a;

interface Pending {
  time: number;
  content: Buffer;
  severity: number;
  timestamp: Buffer;
  partial: boolean;
  datagram: boolean;
}

/** What the later parts of a long message (stream listeners) take from its first part. */
interface PartsHeader {
  tag: string | undefined;
  severity: number;
  timestamp: Buffer;
}

class ContainerState {
  readonly key: string;
  readonly tag: string | undefined;
  facts: ContainerFacts | undefined;
  prefix: Buffer = Buffer.alloc(0);
  source!: RecordSource;
  /** Messages handed to the writer, counted under the container's service. */
  passed!: Cell;
  /** Messages waiting for the first lookup, in arrival order; undefined once it answered. */
  pending: Pending[] | undefined;
  pendingBytes = 0;
  nextRefresh = 0;
  /** Dropped because journald was behind, not yet said in the stream. */
  journalDrops = 0;
  constructor(key: string, tag: string | undefined) {
    this.key = key;
    this.tag = tag;
  }
}

export class ProxyService implements MessageSink {
  readonly #opts: ProxyOptions;
  readonly #writer: EntryWriter;
  readonly #lookup: DockerLookup | undefined;
  readonly #metrics: ProxyMetrics;
  readonly #log: Logger;
  readonly #now: () => number;
  readonly #limiter: StreamRateLimiter;
  readonly #deriver: SourceDeriver;
  readonly #containers = new Map<string, ContainerState>();
  /** Notices carry the source of their window: this finds the container whose stream they go in. */
  readonly #bySource = new WeakMap<RecordSource, ContainerState>();
  readonly #journalDropped = new Set<ContainerState>();
  readonly #listeners: Listener[] = [];
  readonly #emitNotice = (notice: LogRecord) => this.#writeNotice(notice);
  #paused = false;
  #sweepTimer: NodeJS.Timeout | undefined;
  #lastMs = -1;
  #lastStamp: Buffer = Buffer.alloc(0);
  #warnings = 0;
  #suppressed = 0;
  #warningsReset = 0;

  constructor(o: ProxyServiceOptions) {
    this.#opts = o.options;
    this.#writer = o.writer;
    this.#lookup = o.lookup;
    this.#metrics = o.metrics;
    this.#log = o.logger;
    this.#now = o.now ?? Date.now;
    this.#deriver = new SourceDeriver(o.host ?? os.hostname());
    this.#limiter = new StreamRateLimiter(o.options.rate_limit, {
      passed: () => {},
      dropped: (service, _stream, n) => this.#metrics.dropped(service, 'rate_limit', n),
    });
    this.#writer.onDrain(() => this.#onDrain());
    o.metrics.observe(() => this.status());
  }

  /** Opens every listener of proxy.listen; throws (naming the address) when one cannot be opened. */
  async listen(): Promise<Listener[]> {
    const o = this.#opts;
    const mode = parseInt(o.socket_mode, 8);
    // Room for the header besides the message, and never less than a UDP datagram.
    const maxDatagram = Math.max(o.max_message_bytes + 4096, 65_536);
    for (const url of o.listen) {
      const a = parseListenAddress(url);
      let listener: Listener;
      if (a.scheme === 'unixgram') listener = new UnixgramListener(url, a.path, mode, maxDatagram, this);
      else if (a.scheme === 'udp') listener = new UdpListener(url, a.host, a.port, this);
      else {
        const target = 'path' in a ? { path: a.path } : { host: a.host, port: a.port };
        listener = new StreamListener(url, target, { mode, maxFrame: o.max_message_bytes, tls: a.scheme === 'tcp+tls' ? this.#tlsOptions() : undefined, onError: (e) => this.#log.debug({ listener: url, reason: e.message }, 'TLS client failed its handshake') }, this);
      }
      try {
        await listener.start();
      } catch (error) {
        await this.closeListeners();
        const code = (error as NodeJS.ErrnoException).code;
        throw Object.assign(new Error(`proxy.listen: cannot listen on ${url}: ${(error as Error).message}${code === 'EACCES' ? ' (permission denied: run as root or choose a path/port this user may use)' : ''}`), { code });
      }
      this.#listeners.push(listener);
      if (this.#paused) listener.pause();
    }
    this.#sweepTimer = setInterval(() => this.#sweep(), SWEEP_INTERVAL_MS);
    this.#sweepTimer.unref();
    return this.#listeners;
  }

  #tlsOptions(): tls.TlsOptions {
    const t = this.#opts.tls!;
    const read = (key: 'cert' | 'key' | 'ca', file: string) => {
      try {
        return readFileSync(file);
      } catch (error) {
        throw new Error(`proxy.tls.${key}: cannot read ${file} (${(error as NodeJS.ErrnoException).code ?? (error as Error).message})`, { cause: error });
      }
    };
    const options: tls.TlsOptions = { cert: read('cert', t.cert), key: read('key', t.key) };
    if (t.ca !== null) Object.assign(options, { ca: read('ca', t.ca), requestCert: true, rejectUnauthorized: true });
    return options;
  }

  get listeners(): readonly Listener[] {
    return this.#listeners;
  }

  status(): ProxyStatus {
    const c = this.#writer.connection;
    return {
      listeners: this.#listeners.map((l) => ({ url: l.url, listening: l.listening })),
      journal: { connected: c.connected, since: c.since, reason: c.reason, queuedBytes: this.#writer.queuedBytes, queuedEntries: this.#writer.queuedEntries, full: this.#writer.full },
      containers: this.#containers.size,
      rateLimitedStreams: this.#limiter.activeStreams,
    };
  }

  receive(frame: Buffer, origin: Origin, flags: number): void {
    const now = this.#now();
    (origin.counter ??= this.#metrics.receivedCell(origin.listener)).n++;
    let header: PartsHeader;
    let content: Buffer;
    if ((flags & FRAME_CONTINUED) !== 0 && origin.parts !== undefined) {
      header = origin.parts as PartsHeader;
      content = frame;
      if ((flags & FRAME_MORE) === 0 && content.length > 0 && content[content.length - 1] === LF) content = content.subarray(0, content.length - 1);
    } else {
      const message = parseSyslog(frame);
      content = message.content;
      const precise = message.format === 'rfc5424' ? preciseUtcTimestamp(message.timestamp) : undefined;
      header = { tag: message.tag, severity: message.severity, timestamp: precise === undefined ? this.#stamp(now) : timestampField(precise) };
    }
    origin.parts = (flags & FRAME_MORE) !== 0 ? header : undefined;
    const partial = (flags & FRAME_MORE) !== 0 || content.length === DOCKER_PARTIAL_BYTES;
    const tag = header.tag !== undefined && header.tag.startsWith('docker/') ? header.tag.slice(7) : header.tag;
    const state = this.#state(tag, now);
    if (state.pending !== undefined) {
      state.pending.push({ time: now, content: Buffer.from(content), severity: header.severity, timestamp: header.timestamp, partial, datagram: origin.datagram });
      state.pendingBytes += content.length;
      if (state.pending.length >= MAX_PENDING_MESSAGES || state.pendingBytes >= MAX_PENDING_BYTES) this.#release(state);
      return;
    }
    this.#deliver(state, content, header.severity, header.timestamp, partial, origin.datagram, now);
  }

  truncated(origin: Origin, length: number): void {
    this.#metrics.truncated(origin.listener);
    this.#warn({ listener: origin.listener, length }, 'a datagram was longer than the receive buffer (proxy.max_message_bytes) and was written cut short');
  }

  /** SYSLOG_TIMESTAMP of the arrival time, Go-style RFC 3339; the same millisecond gives the same field, so it is built once. */
  #stamp(ms: number): Buffer {
    if (ms !== this.#lastMs) {
      this.#lastMs = ms;
      this.#lastStamp = timestampField(rfc3339NanoUtc(ms));
    }
    return this.#lastStamp;
  }

  #deliver(state: ContainerState, content: Buffer, severity: number, timestamp: Buffer, partial: boolean, datagram: boolean, now: number): void {
    if (!this.#limiter.admitAt(state.source, now, this.#emitNotice)) return;
    const entry = encodeEntry(state.prefix, content, severity, timestamp, partial);
    if (this.#writer.write(entry, datagram)) state.passed.n++;
    else {
      state.journalDrops++;
      this.#journalDropped.add(state);
      this.#metrics.dropped(state.source.service, 'journal_full', 1);
    }
    if (!datagram && !this.#paused && this.#writer.full) this.#pause();
  }

  /** The container (or other sender) a tag names, created on first sight; its first lookup starts here. */
  #state(tag: string | undefined, now: number): ContainerState {
    const key = tag ?? '';
    let state = this.#containers.get(key);
    if (state !== undefined) {
      if (state.facts === undefined && state.pending === undefined && this.#lookup !== undefined && state.nextRefresh <= now && tag !== undefined) this.#refresh(state, now);
      return state;
    }
    state = new ContainerState(key, tag);
    this.#setFacts(state, undefined);
    const lookup = this.#lookup;
    if (lookup !== undefined && tag !== undefined && DockerLookup.canName(tag)) {
      const cached = lookup.cached(tag);
      if (cached?.facts !== undefined) this.#setFacts(state, cached.facts);
      else if (cached === undefined) this.#firstLookup(state, lookup, tag);
      else state.nextRefresh = now + REFRESH_AFTER_FAILURE_MS;
    } else state.nextRefresh = Number.POSITIVE_INFINITY;
    if (this.#containers.size >= MAX_CONTAINERS) {
      for (const [k, s] of this.#containers) {
        if (s.pending === undefined) {
          this.#containers.delete(k);
          break;
        }
      }
    }
    this.#containers.set(key, state);
    return state;
  }

  #firstLookup(state: ContainerState, lookup: DockerLookup, tag: string): void {
    state.pending = [];
    void lookup.lookup(tag).then((result) => {
      if (result.facts !== undefined) this.#setFacts(state, result.facts);
      else {
        this.#lookupFailed(tag, result.failure);
        state.nextRefresh = this.#now() + REFRESH_AFTER_FAILURE_MS;
      }
      this.#release(state);
    });
  }

  /** A container whose lookup failed: ask again (the lookup's own negative cache keeps Docker from being flooded). */
  #refresh(state: ContainerState, now: number): void {
    state.nextRefresh = now + REFRESH_AFTER_FAILURE_MS;
    const lookup = this.#lookup!;
    const known = lookup.cached(state.tag!);
    if (known !== undefined) {
      if (known.facts !== undefined) this.#setFacts(state, known.facts);
      return;
    }
    void lookup.lookup(state.tag!).then((result) => {
      if (result.facts !== undefined) this.#setFacts(state, result.facts);
      else this.#lookupFailed(state.tag!, result.failure);
    });
  }

  #lookupFailed(tag: string, failure: LookupFailure): void {
    // not_a_container: a sender whose tag cannot name a container (not Docker): nothing failed.
    if (failure.reason === 'not_a_container') return;
    this.#metrics.lookupFailure(failure.reason);
    this.#warn({ tag, reason: failure.reason, detail: failure.detail }, 'container lookup failed: writing its lines with what the syslog tag says');
  }

  /** Lets the messages held for a container's first lookup go on, in order, with whatever is known now. */
  #release(state: ContainerState): void {
    const pending = state.pending;
    if (pending === undefined) return;
    state.pending = undefined;
    state.pendingBytes = 0;
    for (const p of pending) this.#deliver(state, p.content, p.severity, p.timestamp, p.partial, p.datagram, p.time);
  }

  #setFacts(state: ContainerState, facts: ContainerFacts | undefined): void {
    state.facts = facts;
    const fields = containerFieldList(state.tag, facts, this.#opts.labels, (option, error) =>
      this.#warn({ container: facts?.name, option, reason: error.message }, 'a container log option is not a valid regular expression; ignored'),
    );
    state.prefix = encodeFields(fields);
    // The forwarder's own rules decide service and stream, from the same fields it will read back.
    const entry: JournalEntry = { seq: 0, cursor: '', realtimeUs: 0, monotonicUs: 0, bootId: '', fields: Object.fromEntries(fields) };
    state.source = { ...this.#deriver.derive(entry) };
    state.passed = this.#metrics.passedCell(state.source.service);
    this.#bySource.set(state.source, state);
  }

  #writeNotice(notice: LogRecord): void {
    const state = this.#bySource.get(notice.source);
    if (state === undefined) return;
    const info = notice.fields.journal_fanout as { event: string; dropped: number };
    this.#noticeEntry(state, notice.message, info.event, info.dropped, notice.time);
  }

  /** A notice in a container's own stream: level warning, never dropped (it says what was). */
  #noticeEntry(state: ContainerState, message: string, event: string, dropped: number, time: number): void {
    const extra = encodeFields([
      ['JOURNAL_FANOUT_EVENT', event],
      ['JOURNAL_FANOUT_DROPPED', String(dropped)],
    ]);
    this.#writer.write(encodeEntry(state.prefix, Buffer.from(message), NOTICE_PRIORITY, timestampField(rfc3339NanoUtc(time)), false, extra), false);
    this.#metrics.notice(event);
  }

  /** Says, in each container's stream and in the self-log, what was dropped while journald was behind. */
  #reportJournalDrops(): void {
    if (this.#journalDropped.size === 0) return;
    const now = this.#now();
    for (const state of this.#journalDropped) {
      const n = state.journalDrops;
      if (n === 0) continue;
      state.journalDrops = 0;
      this.#noticeEntry(
        state,
        `journal-fanout: dropped ${n} messages: journald did not take them in time (the proxy's buffer of ${this.#opts.buffer_bytes} bytes was full)`,
        'journal_full_dropped',
        n,
        now,
      );
      this.#log.warn({ container: state.key, service: state.source.service, dropped: n }, 'dropped messages from a datagram listener: journald was behind');
    }
    this.#journalDropped.clear();
  }

  #pause(): void {
    this.#paused = true;
    for (const l of this.#listeners) l.pause();
  }

  #onDrain(): void {
    if (this.#paused) {
      this.#paused = false;
      for (const l of this.#listeners) l.resume();
    }
    this.#reportJournalDrops();
  }

  #sweep(): void {
    const now = this.#now();
    this.#limiter.sweep(now, this.#emitNotice);
    if (!this.#writer.full) this.#reportJournalDrops();
    if (now - this.#warningsReset >= 60_000) {
      if (this.#suppressed > 0) this.#log.warn({ suppressed: this.#suppressed }, 'more lookup failures or truncated datagrams than logged (see the metrics)');
      this.#suppressed = 0;
      this.#warnings = 0;
      this.#warningsReset = now;
    }
  }

  #warn(fields: Record<string, unknown>, message: string): void {
    if (this.#warnings < WARNINGS_PER_MINUTE) {
      this.#warnings++;
      this.#log.warn(fields, message);
    } else this.#suppressed++;
  }

  async closeListeners(): Promise<void> {
    await Promise.allSettled(this.#listeners.map((l) => l.close()));
  }

  /**
   * Drains: listeners must be closed first. Lets held lines go on once their lookups answer, says what each
   * window dropped, then waits (until `deadlineMs`) for journald to take everything. true when nothing is left.
   */
  async drain(deadlineMs: number): Promise<boolean> {
    clearInterval(this.#sweepTimer);
    if (this.#lookup) {
      let timer: NodeJS.Timeout | undefined;
      await Promise.race([this.#lookup.pending(), new Promise((r) => (timer = setTimeout(r, Math.max(0, deadlineMs - Date.now()))))]);
      clearTimeout(timer);
    }
    for (const state of this.#containers.values()) this.#release(state);
    this.#limiter.flushAll(this.#emitNotice);
    this.#reportJournalDrops();
    return this.#writer.idle(deadlineMs);
  }
}
