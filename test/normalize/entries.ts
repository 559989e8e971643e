// Builders of journal entries for the normalizer tests: Docker journald driver fields and plain units.
import type { FieldValue, JournalEntry } from '../../src/model/journal-entry.ts';
import { Normalizer } from '../../src/normalize/normalizer.ts';
import { recordsOptionsSchema } from '../../src/normalize/options.ts';
import type { LogRecord } from '../../src/model/log-record.ts';

export const T0_US = Date.UTC(2026, 10, 24, 16, 52, 13, 500) * 1000;
export const CONTAINER_A = '0123456789ab';
export const CONTAINER_B = 'ba9876543210';

let nextSeq = 1;

export function resetSeq(): void {
  nextSeq = 1;
}

/** The next entry in sequence: one millisecond after the one before. */
function nextEntry(fields: Record<string, FieldValue | FieldValue[]>): JournalEntry {
  const seq = nextSeq++;
  return { seq, cursor: `s=${seq}`, realtimeUs: T0_US + seq * 1000, monotonicUs: seq, bootId: 'boot', fields };
}

export function dockerEntry(message: FieldValue, extra: Record<string, FieldValue | FieldValue[]> = {}, container = CONTAINER_A): JournalEntry {
  return nextEntry({
    MESSAGE: message,
    PRIORITY: '6',
    _HOSTNAME: 'node-1',
    CONTAINER_ID: container,
    CONTAINER_ID_FULL: container + '0'.repeat(52),
    CONTAINER_NAME: `app-${container}`,
    CONTAINER_TAG: container,
    SYSLOG_IDENTIFIER: container,
    IMAGE_NAME: 'app:1',
    ...extra,
  });
}

export function unitEntry(message: FieldValue, extra: Record<string, FieldValue | FieldValue[]> = {}): JournalEntry {
  return nextEntry({ MESSAGE: message, PRIORITY: '6', _HOSTNAME: 'node-1', _SYSTEMD_UNIT: 'worker.service', SYSLOG_IDENTIFIER: 'worker', _PID: '42', ...extra });
}

/** A normalizer on a fake clock, and the records it emitted so far. */
export function harness(options: Record<string, unknown> = {}) {
  let now = 1_000_000;
  const out: LogRecord[] = [];
  const normalizer = new Normalizer(recordsOptionsSchema.parse(options), 'fallback-host', () => now);
  const emit = (r: LogRecord) => out.push(r);
  return {
    normalizer,
    out,
    push: (e: JournalEntry) => normalizer.push(e, emit),
    advance: (ms: number) => {
      now += ms;
      normalizer.flushDue(now, emit);
    },
    flushAll: () => normalizer.flushAll(emit),
  };
}

/** Every seq a record accounts for: its own and the joined ones. */
export function seqsOf(records: LogRecord[]): number[] {
  return records.flatMap((r) => [...(r.joinedSeqs ?? []), r.seq]).sort((a, b) => a - b);
}
