// A record as one LogDNA (Mezmo) ingest line: {timestamp (ms), line, app, level, meta (source and fields)}.
import type { Level, LogRecord } from '../../src/model/log-record.ts';
import type { Encoded } from '../../src/pipeline/destination.ts';
import { fitEvent, type OversizeMode } from '../http/oversize.ts';
import { messageJson } from '../../src/normalize/encode.ts';
import { addSourceAndFields, sourceAndFieldsMembers } from '../http/record-meta.ts';
import { LOGDNA_MAX_LINE_BYTES } from './config.ts';

/**
 * Syslog severities as Mezmo level names (its documented set: TRACE, DEBUG, INFO, WARN, ERROR, FATAL). The
 * exact syslog level also travels in meta.level, so nothing is lost by the coarser names.
 */
export const LOGDNA_LEVELS: Readonly<Record<Level, string>> = {
  emerg: 'FATAL',
  alert: 'FATAL',
  crit: 'FATAL',
  error: 'ERROR',
  warning: 'WARN',
  notice: 'INFO',
  info: 'INFO',
  debug: 'DEBUG',
};

/** Body bytes around the lines: `{"lines":[` and `]}`. */
export const LINES_ENVELOPE_BYTES = '{"lines":[]}'.length;

/**
 * The record's line as JSON text. `size` counts the "," that joins it to the next line, so that a batch whose
 * sizes sum to S has a body of S - 1 + LINES_ENVELOPE_BYTES bytes.
 */
const META_KEYS: ReadonlySet<string> = new Set(['level']);

export function encodeLogdnaLine(record: LogRecord, app: string, oversize: OversizeMode, maxLineBytes = LOGDNA_MAX_LINE_BYTES): Array<Encoded<string>> {
  const level = LOGDNA_LEVELS[record.level];
  const generic = (line: string, withFields: boolean): string =>
    JSON.stringify({ timestamp: record.time, line, app, level, meta: addSourceAndFields({ level: record.level }, record, withFields) });
  // The whole line by hand (the same text: see sourceAndFieldsMembers); parts of a split one as objects.
  const build = (line: string, withFields: boolean): string => {
    if (line !== record.message || !withFields) return generic(line, withFields);
    const members = sourceAndFieldsMembers(record, META_KEYS);
    if (members === undefined) return generic(line, withFields);
    return (
      '{"timestamp":' + JSON.stringify(record.time) + ',"line":' + messageJson(record) + ',"app":' + JSON.stringify(app) + ',"level":"' + level +
      '","meta":{"level":"' + record.level + '",' + members + '}}'
    );
  };
  const lines = fitEvent(record.message, () => JSON.stringify(record.fields), build, maxLineBytes, oversize);
  return lines.map((json) => ({ data: json, size: Buffer.byteLength(json) + 1, time: record.time }));
}
