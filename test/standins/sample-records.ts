// Sample LogRecords and a log capture, to drive the HTTP destinations against their stand-ins (tests and bench).
import { Writable } from 'node:stream';
import type { Level, LogRecord } from '../../src/model/log-record.ts';
import { LEVELS } from '../../src/model/log-record.ts';
import { createLogger, type Logger } from '../../src/selflog/logger.ts';

export const SAMPLE_TIME = Date.UTC(2026, 0, 2, 3, 4, 5, 678);

/** Record `i` of a run: services svc-0..svc-(services-1), one container per service, levels cycling. */
export function sampleRecord(i: number, options: { services?: number; message?: string; fields?: Record<string, unknown> } = {}): LogRecord {
  const services = options.services ?? 4;
  const s = i % services;
  const level: Level = LEVELS[i % LEVELS.length]!;
  return {
    time: SAMPLE_TIME + i,
    level,
    message: options.message ?? `message ${i}`,
    fields: options.fields ?? { seq: i, user: `u${i % 7}` },
    source: {
      host: 'host-a',
      service: `svc-${s}`,
      stream: `c0ffee${String(s).padStart(6, '0')}`,
      container: { id: `c0ffee${String(s).padStart(6, '0')}`, name: `svc-${s}-1`, image: `repo/svc-${s}:1` },
      pid: 100 + s,
    },
    cursor: `s=1;i=${i}`,
    seq: i + 1,
  };
}

/** A logger whose JSON lines are kept in `lines`, to assert on what the daemon would have written. */
export function capturedLogger(level: 'debug' | 'info' = 'debug'): { logger: Logger; lines: string[] } {
  const lines: string[] = [];
  const stream = new Writable({
    write(chunk: Buffer, _encoding, callback) {
      lines.push(...chunk.toString('utf8').split('\n').filter((l) => l !== ''));
      callback();
    },
  });
  return { logger: createLogger(level, stream), lines };
}
