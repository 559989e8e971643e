// The proxy's Prometheus metrics and /healthz verdict. Per-message counts are plain map increments on the hot
// path, copied into prom-client's counters only when scraped.
import { Counter, Gauge, Registry } from 'prom-client';
import { buildInfo, type BuildInfo } from '../metrics/build-info.ts';
import { LabelLimiter, reasonLabel } from '../metrics/label-limit.ts';
import { collectProcessMetrics } from '../metrics/process-metrics.ts';
import type { MetricsSource } from '../metrics/server.ts';

const PREFIX = 'journal_fanout_proxy_';
/** journald may be away this long (a restart) before /healthz says unhealthy. */
export const JOURNAL_AWAY_GRACE_MS = 10_000;

export interface ProxyStatus {
  listeners: Array<{ url: string; listening: boolean }>;
  journal: { connected: boolean; since: number; reason: string; queuedBytes: number; queuedEntries: number; full: boolean };
  containers: number;
  rateLimitedStreams: number;
}

export interface ProxyHealth {
  healthy: boolean;
  status: 'ok' | 'unhealthy' | 'starting';
  reason: string;
  reasons: string[];
  listeners: ProxyStatus['listeners'];
  journal: ProxyStatus['journal'] | null;
}

/** A count the hot path increments directly (`cell.n++`), found once per listener or container. */
export interface Cell {
  n: number;
}

type Tally = Map<string, Cell>;

function cell(tally: Tally, key: string): Cell {
  let c = tally.get(key);
  if (c === undefined) {
    c = { n: 0 };
    tally.set(key, c);
  }
  return c;
}

function add(tally: Tally, key: string, n: number): void {
  cell(tally, key).n += n;
}

/** Counter whose value is read from a tally at each scrape. */
function tallyCounter(registry: Registry, name: string, help: string, labelNames: string[], read: () => Iterable<[Record<string, string>, number]>): Counter {
  return new Counter({
    name: PREFIX + name,
    help,
    labelNames,
    registers: [registry],
    collect() {
      this.reset();
      for (const [labels, value] of read()) this.inc(labels, value);
    },
  });
}

export class ProxyMetrics implements MetricsSource {
  readonly registry = new Registry();
  readonly #labels = new LabelLimiter();
  readonly #now: () => number;
  #status: (() => ProxyStatus) | undefined;

  readonly #received: Tally = new Map();
  readonly #passed: Tally = new Map();
  /** Key: service + "\0" + reason. */
  readonly #dropped: Tally = new Map();
  readonly #lookups: Tally = new Map();
  readonly #lookupFailures: Tally = new Map();
  readonly #journalFailures: Tally = new Map();
  readonly #notices: Tally = new Map();
  readonly #truncated: Tally = new Map();
  #memfd = 0;
  #reconnects = 0;

  constructor(options: { processMetrics?: boolean; build?: BuildInfo; now?: () => number } = {}) {
    this.#now = options.now ?? Date.now;
    const r = this.registry;
    const build = options.build ?? buildInfo();
    new Gauge({ name: PREFIX + 'build_info', help: 'Always 1; the labels say which build runs', labelNames: ['version', 'revision', 'node'], registers: [r] }).set(build, 1);
    const byOne = (tally: Tally, label: string) => () => [...tally].map(([k, v]) => [{ [label]: k }, v.n] as [Record<string, string>, number]);
    tallyCounter(r, 'received_messages_total', 'Syslog messages received (a message longer than max_message_bytes counts once per part), by listener', ['listener'], byOne(this.#received, 'listener'));
    tallyCounter(r, 'passed_messages_total', 'Messages handed to the journald writer, by service', ['service'], byOne(this.#passed, 'service'));
    tallyCounter(r, 'dropped_messages_total', 'Messages dropped, by service and reason: rate_limit (the per-container limit) or journal_full (a datagram listener while journald was behind)', ['service', 'reason'], () =>
      [...this.#dropped].map(([k, v]) => {
        const [service, reason] = k.split('\0') as [string, string];
        return [{ service, reason }, v.n] as [Record<string, string>, number];
      }),
    );
    tallyCounter(r, 'docker_lookups_total', 'Docker Engine API requests, by outcome (ok, not_found, timeout, error...)', ['outcome'], byOne(this.#lookups, 'outcome'));
    tallyCounter(r, 'docker_lookup_failures_total', 'Container lookups that gave no facts (the lines were written with what the tag says), by reason', ['reason'], byOne(this.#lookupFailures, 'reason'));
    tallyCounter(r, 'journal_write_failures_total', 'Entries journald refused for good (lost), by reason', ['reason'], byOne(this.#journalFailures, 'reason'));
    tallyCounter(r, 'notices_total', 'Notices written into containers\' streams, by event (rate_limit_start, rate_limit_dropped, journal_full_dropped)', ['event'], byOne(this.#notices, 'event'));
    tallyCounter(r, 'truncated_datagrams_total', 'Datagrams longer than the receive buffer (max_message_bytes), written cut short, by listener', ['listener'], byOne(this.#truncated, 'listener'));
    const memfd: Counter = new Counter({
      name: PREFIX + 'journal_memfd_entries_total',
      help: 'Entries written as a memfd (too large for one datagram)',
      registers: [r],
      collect: () => {
        memfd.reset();
        memfd.inc(this.#memfd);
      },
    });
    const reconnects: Counter = new Counter({
      name: PREFIX + 'journal_reconnects_total',
      help: 'Times the connection to journald was lost and restored',
      registers: [r],
      collect: () => {
        reconnects.reset();
        reconnects.inc(this.#reconnects);
      },
    });
    const statusGauge = (name: string, help: string, read: (s: ProxyStatus) => number) => {
      const gauge: Gauge = new Gauge({
        name: PREFIX + name,
        help,
        registers: [r],
        collect: () => {
          const s = this.#status?.();
          if (s) gauge.set(read(s));
        },
      });
    };
    statusGauge('journal_queued_bytes', 'Bytes waiting for journald (at proxy.buffer_bytes, stream listeners stop reading and datagrams are dropped)', (s) => s.journal.queuedBytes);
    statusGauge('journal_queued_entries', 'Entries waiting for journald', (s) => s.journal.queuedEntries);
    statusGauge('journal_connected', '1 while the journald socket is connected', (s) => (s.journal.connected ? 1 : 0));
    statusGauge('containers', 'Containers (and other senders) the proxy keeps fields for', (s) => s.containers);
    statusGauge('ratelimit_streams', 'Streams with an open rate-limit window', (s) => s.rateLimitedStreams);
    const healthy: Gauge = new Gauge({
      name: PREFIX + 'healthy',
      help: '1 when /healthz answers 200, else 0',
      registers: [r],
      collect: () => healthy.set(this.health().healthy ? 1 : 0),
    });
    if (options.processMetrics ?? true) collectProcessMetrics(r);
  }

  /** The received count of one listener, to increment per message. */
  receivedCell(listener: string): Cell {
    return cell(this.#received, listener);
  }

  /** The passed count of one service, to increment per message. */
  passedCell(service: string): Cell {
    return cell(this.#passed, service);
  }

  dropped(service: string, reason: 'rate_limit' | 'journal_full', n: number): void {
    add(this.#dropped, service + '\0' + reason, n);
  }

  lookup(outcome: string): void {
    add(this.#lookups, outcome, 1);
  }

  lookupFailure(reason: string): void {
    add(this.#lookupFailures, reason, 1);
  }

  journalFailure(reason: string, lost: number): void {
    add(this.#journalFailures, this.#labels.value('journal', reasonLabel(reason)), lost);
  }

  memfd(): void {
    this.#memfd++;
  }

  reconnected(): void {
    this.#reconnects++;
  }

  notice(event: string): void {
    add(this.#notices, event, 1);
  }

  truncated(listener: string): void {
    add(this.#truncated, listener, 1);
  }

  /** Totals so far, for tests and the shutdown log: received, passed, dropped by reason. */
  totals(): { received: number; passed: number; dropped: Record<string, number> } {
    const sum = (t: Tally) => [...t.values()].reduce((a, b) => a + b.n, 0);
    const dropped: Record<string, number> = {};
    for (const [k, v] of this.#dropped) {
      const reason = k.split('\0')[1]!;
      dropped[reason] = (dropped[reason] ?? 0) + v.n;
    }
    return { received: sum(this.#received), passed: sum(this.#passed), dropped };
  }

  observe(status: () => ProxyStatus): void {
    this.#status = status;
  }

  health(): ProxyHealth {
    const status = this.#status?.();
    if (status === undefined) {
      const reason = 'starting: not listening yet';
      return { healthy: false, status: 'starting', reason, reasons: [reason], listeners: [], journal: null };
    }
    const reasons: string[] = [];
    for (const l of status.listeners) if (!l.listening) reasons.push(`listener ${l.url} is not listening`);
    const j = status.journal;
    if (!j.connected && this.#now() - j.since > JOURNAL_AWAY_GRACE_MS) {
      reasons.push(`journald's socket has been unreachable for ${Math.round((this.#now() - j.since) / 1000)} s (${j.reason}); ${j.queuedEntries} entries wait`);
    }
    const healthy = reasons.length === 0;
    return { healthy, status: healthy ? 'ok' : 'unhealthy', reason: reasons.join('; '), reasons, listeners: status.listeners, journal: j };
  }

  async scrape(): Promise<string> {
    return this.registry.metrics();
  }

  get contentType(): string {
    return this.registry.contentType;
  }
}
