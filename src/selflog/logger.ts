// The daemon's own logs: structured JSON lines on stderr (stdout belongs to the stdout destination).
import { pino, type Logger } from 'pino';

export type { Logger };
export type SelfLogLevel = 'fatal' | 'error' | 'warn' | 'info' | 'debug' | 'trace' | 'silent';

/** Keys whose values are never written, wherever they appear in a log object. */
const REDACT = ['token', 'key', 'password', 'secret', 'authorization', '*.token', '*.key', '*.password', '*.authorization'];

export function createLogger(level: SelfLogLevel = 'info', destination: number | NodeJS.WritableStream = 2): Logger {
  const stream = typeof destination === 'number' ? pino.destination({ fd: destination, sync: false }) : destination;
  return pino(
    { level, base: { name: 'journal-fanout' }, redact: { paths: REDACT, censor: '***' }, timestamp: pino.stdTimeFunctions.isoTime },
    stream,
  );
}

/** A logger that writes nothing, for tests that do not look at self-logs. */
export function silentLogger(): Logger {
  return pino({ level: 'silent' });
}
