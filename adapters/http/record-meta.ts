// The record's source and parsed fields as one flat JSON object, shared by the Loggly event and the LogDNA line meta.
import type { LogRecord } from '../../src/model/log-record.ts';

/**
 * Writes the record's source (service, stream, host, container, unit, identifier, pid, ecs) into `target`,
 * then its parsed fields. Source keys and any key already in `target` win; a field whose name is taken is
 * kept under `fields` instead, so nothing is dropped. Keys absent from the source are left out.
 */
export function addSourceAndFields(target: Record<string, unknown>, record: LogRecord, withFields: boolean): Record<string, unknown> {
  const s = record.source;
  target.service = s.service;
  target.stream = s.stream;
  target.host = s.host;
  if (s.container !== undefined) target.container = s.container;
  if (s.unit !== undefined) target.unit = s.unit;
  if (s.identifier !== undefined) target.identifier = s.identifier;
  if (s.pid !== undefined) target.pid = s.pid;
  if (s.ecs !== undefined) target.ecs = s.ecs;
  if (!withFields) return target;
  let clashes: Record<string, unknown> | undefined;
  for (const name of Object.keys(record.fields)) {
    if (Object.hasOwn(target, name) || name === 'fields') put((clashes ??= {}), name, record.fields[name]);
    else put(target, name, record.fields[name]);
  }
  if (clashes) target.fields = clashes;
  return target;
}

/** Assignment that keeps a field named "__proto__" (JSON.parse makes it an own key) as data, not a prototype. */
function put(object: Record<string, unknown>, name: string, value: unknown): void {
  if (name === '__proto__') Object.defineProperty(object, name, { value, enumerable: true, writable: true, configurable: true });
  else object[name] = value;
}
