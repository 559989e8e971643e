// The /healthz verdict, a pure function of the pipeline's status: is the reader reading, is every destination moving?
import type { PipelineStatus } from '../pipeline/pipeline.ts';

/** How long a destination with entries pending may go without acknowledging anything before it is unhealthy. */
export const DEFAULT_HEALTH_WINDOW_MS = 60_000;
/** Reader restarts in a row (journalctl or native), with no entry handed on in between, that mean the reader is failing. */
export const READER_FAILING_RESTARTS = 3;

/** What the reader counters know that the pipeline status does not: the reader failing over and over. */
export interface ReaderHealthFacts {
  /** Reader restarts since an entry was last handed on. */
  restartsSinceEntries: number;
  /** Wall-clock ms of the last restart, or 0. */
  lastRestartAt: number;
}

export interface DestinationHealth {
  id: string;
  type: string;
  healthy: boolean;
  failed: string | null;
  /** False while it is detached and catching up with its own reader (healthy while it acknowledges). */
  attached: boolean;
  pendingEntries: number;
  bufferedRecords: number;
  secondsSinceAck: number;
  committedCursor: string | null;
}

export interface HealthReport {
  healthy: boolean;
  status: 'ok' | 'unhealthy' | 'starting';
  /** Why it is unhealthy, one sentence per problem, joined; empty when healthy. */
  reason: string;
  reasons: string[];
  reader: { secondsSinceEntries: number; idle: boolean; restartsSinceEntries: number };
  destinations: DestinationHealth[];
}

const seconds = (ms: number) => Math.round(ms / 100) / 10;

/**
 * Healthy when (1) the reader handed on entries within the window, or is idle at the end of the journal
 * (nothing pending anywhere) and journalctl is not failing over and over, and (2) every destination has
 * nothing pending or acknowledged something within the window, and none failed for good.
 */
export function assessHealth(
  status: PipelineStatus | undefined,
  reader: ReaderHealthFacts,
  now: number,
  windowMs: number = DEFAULT_HEALTH_WINDOW_MS,
): HealthReport {
  if (status === undefined || status.lanes.length === 0) {
    const reason = 'starting: no destination is running yet';
    return { healthy: false, status: 'starting', reason, reasons: [reason], reader: { secondsSinceEntries: 0, idle: true, restartsSinceEntries: reader.restartsSinceEntries }, destinations: [] };
  }
  const reasons: string[] = [];
  const destinations: DestinationHealth[] = status.lanes.map((lane) => {
    const sinceAck = now - lane.lastAckAt;
    let healthy = true;
    if (lane.failed !== undefined) {
      healthy = false;
      reasons.push(`destination ${lane.id} (${lane.type}) failed: ${lane.failed}`);
    } else if (lane.pendingEntries > 0 && sinceAck > windowMs) {
      healthy = false;
      reasons.push(`destination ${lane.id} (${lane.type}) has ${lane.pendingEntries} entries pending and acknowledged nothing for ${seconds(sinceAck)} s`);
    }
    return {
      id: lane.id,
      type: lane.type,
      healthy,
      failed: lane.failed ?? null,
      attached: lane.attached !== false,
      pendingEntries: lane.pendingEntries,
      bufferedRecords: lane.bufferedRecords,
      secondsSinceAck: seconds(sinceAck),
      committedCursor: lane.committedCursor ?? null,
    };
  });
  const sinceEntries = now - status.lastEntryAt;
  const idle = status.lanes.every((lane) => lane.failed !== undefined || lane.pendingEntries === 0);
  if (reader.restartsSinceEntries >= READER_FAILING_RESTARTS && now - reader.lastRestartAt <= 2 * windowMs) {
    reasons.push(`the journal reader failed ${reader.restartsSinceEntries} times in a row without handing on an entry (see the daemon's "journalctl stopped" or "native journal reader failed" logs)`);
  } else if (sinceEntries > windowMs && !idle) {
    reasons.push(`the reader handed on no entry for ${seconds(sinceEntries)} s while entries are pending (waiting on a full destination buffer)`);
  }
  const healthy = reasons.length === 0;
  return {
    healthy,
    status: healthy ? 'ok' : 'unhealthy',
    reason: reasons.join('; '),
    reasons,
    reader: { secondsSinceEntries: seconds(sinceEntries), idle, restartsSinceEntries: reader.restartsSinceEntries },
    destinations,
  };
}
