// The daemon's Prometheus metrics: implements the reader, rate-limit and runner counters, and turns the
// pipeline's status into gauges at each scrape (so nothing is computed between scrapes).
import { Counter, Gauge, Histogram, Registry } from 'prom-client';
import type { ReaderCounters } from '../journal/journal-reader.ts';
import type { PipelineCounters, PipelineStatus } from '../pipeline/pipeline.ts';
import type { RunnerCounters } from '../pipeline/destination-runner.ts';
import type { RateLimitCounters } from '../ratelimit/limiter.ts';
import { buildInfo, type BuildInfo } from './build-info.ts';
import { collectProcessMetrics } from './process-metrics.ts';
import { assessHealth, DEFAULT_HEALTH_WINDOW_MS, type HealthReport, type ReaderHealthFacts } from './health.ts';
import { LabelLimiter, reasonLabel } from './label-limit.ts';

export interface DaemonMetricsOptions {
  /** The memory budget the destinations share (config.pipeline), for the buffer fill ratio. */
  bufferRecords: number;
  bufferBytes: number;
  healthWindowMs?: number;
  /**
   * Node.js process metrics (CPU, memory, event loop): on where /metrics is served; off when nothing can read
   * them (their event-loop sampling costs CPU), and in tests that compare whole outputs.
   */
  processMetrics?: boolean;
  build?: BuildInfo;
  /** Clock, for tests. */
  now?: () => number;
}

const PREFIX = 'journal_fanout_';
/** Events per request: CloudWatch allows 10,000, the HTTP destinations batch up to 50,000. */
const BATCH_EVENT_BUCKETS = [1, 10, 50, 100, 500, 1000, 2000, 5000, 10_000, 50_000];
/** Bytes per request, 1 KiB to 8 MiB (CloudWatch's 1 MiB, Loggly's 5 MB and Mezmo's 10 MB limits fall inside). */
const BATCH_BYTE_BUCKETS = [1024, 4096, 16_384, 65_536, 262_144, 1_048_576, 5_000_000, 10_000_000];
const LATENCY_BUCKETS = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30];

export class DaemonMetrics {
  readonly registry = new Registry();
  readonly #opts: Required<Omit<DaemonMetricsOptions, 'build'>>;
  readonly #labels = new LabelLimiter();
  #status: (() => PipelineStatus) | undefined;
  readonly #readerFacts: ReaderHealthFacts = { restartsSinceEntries: 0, lastRestartAt: 0 };

  readonly #entriesRead: Counter;
  readonly #restarts: Counter;
  readonly #passed: Counter<'service'>;
  readonly #dropped: Counter<'service'>;
  readonly #sentEvents: Counter<'destination'>;
  readonly #sentBytes: Counter<'destination'>;
  readonly #rejected: Counter<'destination' | 'reason'>;
  readonly #retries: Counter<'destination' | 'reason'>;
  readonly #batchEvents: Histogram<'destination'>;
  readonly #batchBytes: Histogram<'destination'>;
  readonly #latency: Histogram<'destination' | 'outcome'>;
  readonly #buffered: Gauge<'destination'>;
  readonly #bufferedBytes: Gauge<'destination'>;
  readonly #fill: Gauge<'destination'>;
  readonly #lagSeconds: Gauge<'destination'>;
  readonly #lagEntries: Gauge<'destination'>;
  readonly #failed: Gauge<'destination' | 'type'>;
  readonly #attached: Gauge<'destination'>;
  readonly #detachments: Counter<'destination'>;
  readonly #lastAck: Gauge<'destination'>;
  readonly #lastEntry: Gauge;
  readonly #newestEntry: Gauge;
  readonly #healthy: Gauge;

  constructor(options: DaemonMetricsOptions) {
    this.#opts = { healthWindowMs: DEFAULT_HEALTH_WINDOW_MS, processMetrics: true, now: Date.now, ...options };
    const registers = [this.registry];
    const counter = <L extends string>(name: string, help: string, labelNames: L[] = []) =>
      new Counter<L>({ name: PREFIX + name, help, labelNames, registers });
    const gauge = <L extends string>(name: string, help: string, labelNames: L[] = []) => new Gauge<L>({ name: PREFIX + name, help, labelNames, registers });
    const histogram = <L extends string>(name: string, help: string, labelNames: L[], buckets: number[]) =>
      new Histogram<L>({ name: PREFIX + name, help, labelNames, buckets, registers });

    const build = options.build ?? buildInfo();
    gauge('build_info', 'Always 1; the labels say which build runs', ['version', 'revision', 'node']).set(build, 1);
    this.#entriesRead = counter('journal_entries_read_total', 'Journal entries handed on by the journal reader (native or journalctl)');
    this.#restarts = counter('journalctl_restarts_total', 'Times the journal reader failed and was restarted (journalctl exited or died, or libsystemd returned an error to the native reader)');
    this.#passed = counter('ratelimit_passed_records_total', 'Records the per-stream rate limit let through, by service', ['service']);
    this.#dropped = counter('ratelimit_dropped_records_total', 'Records the per-stream rate limit dropped, by service', ['service']);
    this.#sentEvents = counter('destination_sent_events_total', 'Events a destination accepted', ['destination']);
    this.#sentBytes = counter('destination_sent_bytes_total', 'Bytes of the requests a destination accepted (as counted against its batch limit)', ['destination']);
    this.#rejected = counter('destination_rejected_events_total', 'Events a destination refused for good (counted, logged, acknowledged), by reason', ['destination', 'reason']);
    this.#retries = counter('destination_retries_total', 'Requests that failed and will be retried, by reason', ['destination', 'reason']);
    this.#batchEvents = histogram('destination_batch_events', 'Events per request a destination answered', ['destination'], BATCH_EVENT_BUCKETS);
    this.#batchBytes = histogram('destination_batch_bytes', 'Bytes per request a destination answered', ['destination'], BATCH_BYTE_BUCKETS);
    this.#latency = histogram('destination_request_duration_seconds', 'Time of one request, by outcome (ok, retry, reject, fatal)', ['destination', 'outcome'], LATENCY_BUCKETS);
    this.#buffered = gauge('destination_buffered_records', 'Records a destination holds in memory (batched, in flight or waiting to retry)', ['destination']);
    this.#bufferedBytes = gauge('destination_buffered_bytes', 'Encoded bytes a destination holds in memory', ['destination']);
    this.#fill = gauge('destination_buffer_fill_ratio', 'The part of the memory budget all destinations share (pipeline.buffer_records, pipeline.buffer_bytes) a destination holds, 0 to 1: the larger of records and bytes; a destination alone may fill it, several each get at least an even share', ['destination']);
    this.#lagSeconds = gauge('destination_checkpoint_lag_seconds', 'Journal time between the newest entry read and the last entry committed for a destination; 0 when nothing is pending; absent before its first commit', ['destination']);
    this.#lagEntries = gauge('destination_checkpoint_lag_entries', 'Entries read but not yet acknowledged by a destination', ['destination']);
    this.#failed = gauge('destination_failed', '1 when a destination stopped for good (bad credentials...); the reason is in the logs and /healthz', ['destination', 'type']);
    this.#attached = gauge('destination_attached', '1 while the shared reader feeds a destination; 0 while it is detached (it fell behind) and catches up with its own reader', ['destination']);
    this.#detachments = counter('destination_detachments_total', 'Times a destination fell behind its buffer and was detached to catch up on its own', ['destination']);
    this.#lastAck = gauge('destination_last_ack_timestamp_seconds', 'Wall-clock time of a destination\'s last acknowledgement (or of its start)', ['destination']);
    this.#lastEntry = gauge('reader_last_entry_timestamp_seconds', 'Wall-clock time the reader last handed on entries (or started)');
    this.#newestEntry = gauge('journal_newest_entry_timestamp_seconds', 'Journal time of the newest entry read');
    this.#healthy = gauge('healthy', '1 when /healthz answers 200, else 0');
    if (this.#opts.processMetrics) collectProcessMetrics(this.registry);
  }

  /** The counters to pass as PipelineOptions.counters. */
  pipelineCounters(): PipelineCounters {
    return { reader: this.reader, rateLimit: this.rateLimit, runner: (id) => this.runner(id), detached: (id) => this.#detachments.inc({ destination: id }) };
  }

  readonly reader: ReaderCounters = {
    entriesRead: (n) => {
      this.#entriesRead.inc(n);
      this.#readerFacts.restartsSinceEntries = 0;
    },
    journalctlRestarts: () => {
      this.#restarts.inc();
      this.#readerFacts.restartsSinceEntries++;
      this.#readerFacts.lastRestartAt = this.#opts.now();
    },
  };

  readonly rateLimit: RateLimitCounters = {
    // Labelled by service only: a label per stream (container) would grow without bound on a busy host.
    passed: (service, _stream, n) => this.#passed.inc({ service }, n),
    dropped: (service, _stream, n) => this.#dropped.inc({ service }, n),
  };

  runner(destination: string): RunnerCounters {
    return {
      sent: (events, bytes) => {
        if (events > 0) this.#sentEvents.inc({ destination }, events);
        if (bytes > 0) this.#sentBytes.inc({ destination }, bytes);
        // A request with no event (records the adapter dropped knowingly) was never sent: not a batch.
        if (events > 0 || bytes > 0) {
          this.#batchEvents.observe({ destination }, events);
          this.#batchBytes.observe({ destination }, bytes);
        }
      },
      rejected: (reason, events) => this.#rejected.inc({ destination, reason: this.#labels.value(`rejected/${destination}`, reasonLabel(reason)) }, events),
      retried: (reason) => this.#retries.inc({ destination, reason: this.#labels.value(`retried/${destination}`, reasonLabel(reason)) }),
      requestSeconds: (seconds, outcome) => this.#latency.observe({ destination, outcome }, seconds),
    };
  }

  /** Where the status gauges and /healthz read from: the running pipeline's status(). */
  observe(status: () => PipelineStatus): void {
    this.#status = status;
  }

  health(): HealthReport {
    return assessHealth(this.#status?.(), this.#readerFacts, this.#opts.now(), this.#opts.healthWindowMs);
  }

  /** The Prometheus text exposition, with the status gauges brought up to date first. */
  async scrape(): Promise<string> {
    this.#refresh();
    return this.registry.metrics();
  }

  get contentType(): string {
    return this.registry.contentType;
  }

  #refresh(): void {
    const status = this.#status?.();
    // Reset, so that a destination that is gone leaves no stale series behind.
    for (const g of [this.#buffered, this.#bufferedBytes, this.#fill, this.#lagSeconds, this.#lagEntries, this.#failed, this.#attached, this.#lastAck]) g.reset();
    this.#healthy.set(this.health().healthy ? 1 : 0);
    if (status === undefined) return;
    this.#lastEntry.set(status.lastEntryAt / 1000);
    this.#newestEntry.set(status.newestEntryMs / 1000);
    const { bufferRecords, bufferBytes } = this.#opts;
    for (const lane of status.lanes) {
      const destination = lane.id;
      this.#buffered.set({ destination }, lane.bufferedRecords);
      this.#bufferedBytes.set({ destination }, lane.bufferedBytes);
      this.#fill.set({ destination }, Math.min(1, Math.max(lane.bufferedRecords / bufferRecords, lane.bufferedBytes / bufferBytes)));
      this.#lagEntries.set({ destination }, lane.pendingEntries);
      if (lane.pendingEntries === 0) this.#lagSeconds.set({ destination }, 0);
      else if (lane.committedTimeMs !== undefined) this.#lagSeconds.set({ destination }, Math.max(0, status.newestEntryMs - lane.committedTimeMs) / 1000);
      this.#failed.set({ destination, type: lane.type }, lane.failed === undefined ? 0 : 1);
      this.#attached.set({ destination }, lane.attached === false ? 0 : 1);
      this.#lastAck.set({ destination }, lane.lastAckAt / 1000);
    }
  }
}
