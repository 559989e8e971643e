// The record's source and parsed fields as one flat JSON object, shared by the Loggly event and the LogDNA line meta.
import type { LogRecord, RecordSource } from '../../src/model/log-record.ts';

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

/** The source's members as addSourceAndFields writes them (`"service":..,"stream":..,...`), once per source object. */
const sourceMembers = new WeakMap<RecordSource, { json: string; keys: ReadonlySet<string> }>();

function membersOf(s: RecordSource): { json: string; keys: ReadonlySet<string> } {
  let m = sourceMembers.get(s);
  if (m) return m;
  const keys = new Set(['service', 'stream', 'host']);
  let json = '"service":' + JSON.stringify(s.service) + ',"stream":' + JSON.stringify(s.stream) + ',"host":' + JSON.stringify(s.host);
  for (const [key, value] of [['container', s.container], ['unit', s.unit], ['identifier', s.identifier], ['pid', s.pid], ['ecs', s.ecs]] as const) {
    if (value === undefined) continue;
    json += ',"' + key + '":' + JSON.stringify(value);
    keys.add(key);
  }
  m = { json, keys };
  sourceMembers.set(s, m);
  return m;
}

/** An array index: JSON.stringify writes such keys of an object first, whatever their order of insertion. */
const isIndexKey = (name: string): boolean => {
  const c = name.charCodeAt(0);
  return c >= 48 && c <= 57 && /^(?:0|[1-9]\d{0,9})$/.test(name) && Number(name) < 4_294_967_295;
};

/**
 * The record last given to sourceAndFieldsMembers, with its fields' members (`"name":value`): Loggly and LogDNA
 * are handed each record in turn and write the same members, so each field is stringified once between them.
 * Records are not changed once built.
 */
let membersRecord: LogRecord | undefined;
/** Undefined when a field cannot be written by hand (see sourceAndFieldsMembers). */
let fieldNames: string[] | undefined = [];
let fieldTexts: string[] = [];
/** `,"a":1,"b":2`: every member, when none clashes. */
let allFields = '';

function fieldMembersOf(record: LogRecord): void {
  if (record === membersRecord) return;
  membersRecord = record;
  const names: string[] = [];
  const texts: string[] = [];
  let all = '';
  const fields = record.fields;
  for (const name of Object.keys(fields)) {
    const value = fields[name];
    if (value === undefined || typeof value === 'function' || typeof value === 'symbol' || name === '__proto__' || isIndexKey(name)) {
      fieldNames = undefined;
      return;
    }
    const member = JSON.stringify(name) + ':' + JSON.stringify(value);
    names.push(name);
    texts.push(member);
    all += ',' + member;
  }
  fieldNames = names;
  fieldTexts = texts;
  allFields = all;
}

/**
 * The members JSON.stringify writes for addSourceAndFields(target, record, true), after target's own keys
 * (`targetKeys`), built by hand: the source's part once per source, each field's value stringified once per
 * record. Undefined when a field would make JSON.stringify's output differ from the members in insertion order
 * (a name that is an array index, `__proto__`) or be left out (an undefined value): the caller then builds
 * the object. Measured: the Loggly and LogDNA encoders were 7.6% of the daemon's CPU samples with all four
 * destinations, most of it JSON.stringify walking the object; then this function 4.1%, half of it the second
 * destination stringifying the same fields again.
 */
export function sourceAndFieldsMembers(record: LogRecord, targetKeys: ReadonlySet<string>): string | undefined {
  const source = membersOf(record.source);
  fieldMembersOf(record);
  const names = fieldNames;
  if (names === undefined) return undefined;
  let clashes = '';
  let json = '';
  for (let i = 0; i < names.length; i++) {
    const name = names[i]!;
    if (targetKeys.has(name) || source.keys.has(name) || name === 'fields') {
      if (clashes === '') {
        // The first clash: the members before it go as they are, the rest one by one.
        for (let k = 0; k < i; k++) json += ',' + fieldTexts[k]!;
      }
      clashes += (clashes ? ',' : '') + fieldTexts[i]!;
    } else if (clashes !== '') json += ',' + fieldTexts[i]!;
  }
  return clashes ? source.json + json + ',"fields":{' + clashes + '}' : source.json + allFields;
}
