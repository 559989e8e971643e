// The records journal-fanout writes into a rate-limited stream itself, so the owner sees the gap where they look.
import type { LogRecord, RecordSource } from '../model/log-record.ts';

/** One resolved limit (the top-level one, or an override's), with its notice texts built once. */
export interface StreamLimit {
  interval: number;
  burst: number;
  /** Full text of the `beginning to drop messages` notice. */
  startMessage: string;
  /** ` (rate limit 200000 per 60s)`, the end of every `dropped N messages` notice. */
  limitSuffix: string;
}

/** `60s`, `1500ms`: seconds when whole, so the default reads as journald's own settings do. */
export function formatInterval(ms: number): string {
  return ms % 1000 === 0 ? `${ms / 1000}s` : `${ms}ms`;
}

export function streamLimit(interval: number, burst: number): StreamLimit {
  const per = `${burst} messages per ${formatInterval(interval)}`;
  return {
    interval,
    burst,
    startMessage: `journal-fanout: rate limit of ${per} reached for this stream; beginning to drop messages`,
    limitSuffix: ` (rate limit ${burst} per ${formatInterval(interval)})`,
  };
}

/** The window a notice reports on. */
export interface WindowFacts {
  source: RecordSource;
  start: number;
  end: number;
}

function isoTime(ms: number): string | null {
  return Number.isFinite(ms) ? new Date(ms).toISOString() : null;
}

function notice(time: number, message: string, event: string, dropped: number, limit: StreamLimit, window: WindowFacts): LogRecord {
  return {
    time,
    level: 'warning',
    message,
    fields: {
      journal_fanout: {
        event,
        dropped,
        burst: limit.burst,
        interval_ms: limit.interval,
        // ISO text: people read these in the destinations' consoles; null when a record had no usable time.
        window_start: isoTime(window.start),
        window_end: isoTime(window.end),
      },
    },
    source: window.source,
    // Synthetic records carry no journal position: the ack tracker ignores seq 0.
    cursor: '',
    seq: 0,
  };
}

/** Emitted just before the first record a window drops; `time` is that record's time. */
export function startNotice(time: number, limit: StreamLimit, window: WindowFacts): LogRecord {
  return notice(time, limit.startMessage, 'rate_limit_start', 0, limit, window);
}

/**
 * Emitted when a window that dropped records ends (`when` = 'window'), or at shutdown for a window still open
 * (`when` = 'shutdown'). The count is always written `N messages`, even for 1, so one metric filter pattern
 * (`"dropped" "messages in the"`) finds them all.
 */
export function droppedNotice(
  time: number,
  dropped: number,
  when: 'window' | 'shutdown',
  limit: StreamLimit,
  window: WindowFacts,
): LogRecord {
  const where = when === 'window' ? 'in the last window' : 'in the current window before shutting down';
  return notice(time, `journal-fanout: dropped ${dropped} messages ${where}${limit.limitSuffix}`, 'rate_limit_dropped', dropped, limit, window);
}
