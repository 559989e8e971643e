// A record as one Loggly bulk event: a JSON line Loggly parses, with an ISO 8601 timestamp it indexes by.
import type { LogRecord } from '../../src/model/log-record.ts';
import { isoTime, messageJson } from '../../src/normalize/encode.ts';
import type { Encoded } from '../../src/pipeline/destination.ts';
import { fitEvent, type OversizeMode } from '../http/oversize.ts';
import { addSourceAndFields, sourceAndFieldsMembers } from '../http/record-meta.ts';
import { LOGGLY_MAX_EVENT_BYTES } from './config.ts';

/**
 * `{"timestamp":"2026-01-02T03:04:05.678Z","level":"info","message":"...","service":..,"stream":..,"host":..,
 * "container":{..},...fields}` followed by "\n". Loggly reads `timestamp` as the event time. An event over
 * Loggly's 1 MB limit is split or truncated with a visible marker (see fitEvent). `size` counts the newline.
 */
const TARGET_KEYS: ReadonlySet<string> = new Set(['timestamp', 'level', 'message']);

export function encodeLogglyEvent(record: LogRecord, oversize: OversizeMode, maxEventBytes = LOGGLY_MAX_EVENT_BYTES): Array<Encoded<string>> {
  const timestamp = isoTime(record.time);
  const generic = (message: string, withFields: boolean): string =>
    JSON.stringify(addSourceAndFields({ timestamp, level: record.level, message }, record, withFields));
  // The whole event by hand (the same text: see sourceAndFieldsMembers); parts of a split one as objects.
  const build = (message: string, withFields: boolean): string => {
    if (message !== record.message || !withFields) return generic(message, withFields);
    const members = sourceAndFieldsMembers(record, TARGET_KEYS);
    if (members === undefined) return generic(message, withFields);
    return '{"timestamp":"' + timestamp + '","level":"' + record.level + '","message":' + messageJson(record) + ',' + members + '}';
  };
  const events = fitEvent(record.message, () => JSON.stringify(record.fields), build, maxEventBytes, oversize);
  return events.map((json) => ({ data: json + '\n', size: Buffer.byteLength(json) + 1, time: record.time }));
}
