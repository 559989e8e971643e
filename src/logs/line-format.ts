// One output line per event: a template over the record's fields (the config's `{name|"default"}` syntax plus
// time, level, message), the record as shipped for --json, and colour by level on a terminal.
import { isoTime } from '../normalize/encode.ts';
import { compileTemplate, type ExtraTemplateNames } from '../normalize/template.ts';
import { ConfigError } from '../model/errors.ts';
import type { Level } from '../model/log-record.ts';
import { LogsError } from './errors.ts';
import type { EventView } from './event-view.ts';

export const DEFAULT_FORMAT = '{time} {level} {stream} {message}';

/** Names a --format template may use besides the config's (service, stream, host, container.*, ecs.*, fields.X...). */
export const EVENT_TEMPLATE_NAMES: ExtraTemplateNames<EventView> = {
  time: (v) => isoTime(v.time),
  level: (v) => v.level,
  message: (v) => v.message,
  log_group: (v) => v.group,
  log_stream: (v) => v.logStream,
  event_id: (v) => v.eventId || undefined,
  ingestion_time: (v) => (v.ingestionTime === undefined ? undefined : isoTime(v.ingestionTime)),
};

export type LineFormat = (view: EventView) => string;

/** Compiles --format once; a bad template is a usage error naming the fix. */
export function compileLineFormat(template: string): LineFormat {
  try {
    return compileTemplate(template, '--format', EVENT_TEMPLATE_NAMES);
  } catch (error) {
    if (error instanceof ConfigError) throw new LogsError('ERR_LOGS_USAGE', error.issues.join('; '), { exitCode: 2 });
    throw error;
  }
}

/** --json: the record as shipped, one line; a message that is not a JSON object is wrapped with its time and names. */
export function jsonLine(view: EventView): string {
  if (view.shipped) return view.raw.includes('\n') ? JSON.stringify(view.shipped) : view.raw;
  return JSON.stringify({ time: isoTime(view.time), message: view.raw, data: { service: view.source.service, stream: view.logStream } });
}

/** SGR colours by level: the severe ones red, warnings yellow, notices cyan, debug dim, info plain. */
const LEVEL_COLOUR: Readonly<Record<Level, string>> = {
  emerg: '\x1b[1;31m',
  alert: '\x1b[1;31m',
  crit: '\x1b[1;31m',
  error: '\x1b[31m',
  warning: '\x1b[33m',
  notice: '\x1b[36m',
  info: '',
  debug: '\x1b[2m',
};
const RESET = '\x1b[0m';

export function colourByLevel(line: string, level: Level | undefined): string {
  const colour = level === undefined ? '' : LEVEL_COLOUR[level];
  return colour === '' ? line : colour + line + RESET;
}

/** Colour only on a terminal, and never when NO_COLOR is set to anything but "" (no-color.org). */
export function wantsColour(stream: { isTTY?: boolean | undefined }, env: NodeJS.ProcessEnv): boolean {
  return stream.isTTY === true && (env.NO_COLOR === undefined || env.NO_COLOR === '');
}
