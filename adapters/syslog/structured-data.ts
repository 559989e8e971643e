// RFC 5424 STRUCTURED-DATA from the config: parsed and checked once at start-up, its template values escaped per record.
import { ConfigError } from '../../src/model/errors.ts';
import { compileTemplate, type TemplateInput } from '../../src/normalize/template.ts';
import { escapeControls } from './header.ts';

/** RFC 5424 section 6.3: SD-NAME = 1*32PRINTUSASCII except "=", SP, "]" and '"'. */
export const SD_NAME_MAX = 32;
/**
 * Loggly's syslog endpoint needs "[TOKEN@41058 ...]" with a 36-character customer token: 42 characters, over
 * RFC 5424's 32. SD-IDs of the name@number form may therefore be this long; every receiver we know reads them.
 */
export const SD_ENTERPRISE_ID_MAX = 64;
/** Rendered values are cut to this many bytes (escapes included), so that the header stays bounded. */
export const SD_VALUE_MAX_BYTES = 256;
/** SD-IDs registered with IANA (RFC 5424 section 7); any other needs the name@<private enterprise number> form. */
const REGISTERED_IDS: ReadonlySet<string> = new Set(['timeQuality', 'origin', 'meta']);

const SD_NAME_CHAR = /^[\x21-\x7e]$/;
const isNameChar = (c: string) => SD_NAME_CHAR.test(c) && c !== '=' && c !== ']' && c !== '"';
const ENTERPRISE_ID = /^([^@]+)@(\d+(?:\.\d+)*)$/;

type Part = { kind: 'text'; text: string } | { kind: 'value'; render: (input: TemplateInput) => string };

export interface CompiledStructuredData {
  /** The STRUCTURED-DATA field of a record: "-" when none is configured. */
  render(input: TemplateInput): string;
  /** Most bytes render() can return. */
  readonly maxBytes: number;
  /** True when a value reads the record's fields (so the result cannot be cached per source). */
  readonly usesFields: boolean;
}

/** A PARAM-VALUE: '"', "\" and "]" escaped (RFC 5424 section 6.3.3), controls as "#ooo", cut to SD_VALUE_MAX_BYTES. */
export function escapeParamValue(value: string): string {
  const text = escapeControls(value);
  if (text.length <= SD_VALUE_MAX_BYTES / 3 && !/["\\\]]/.test(text)) return text;
  let out = '';
  let bytes = 0;
  for (const ch of text) {
    const piece = ch === '"' || ch === '\\' || ch === ']' ? '\\' + ch : ch;
    const size = Buffer.byteLength(piece);
    if (bytes + size > SD_VALUE_MAX_BYTES) break;
    out += piece;
    bytes += size;
  }
  return out;
}

/**
 * Parses STRUCTURED-DATA as RFC 5424 writes it ('[id@32473 a="1" b="{service}"][other@1 c="x"]'), where each
 * value is a record template. Values are unescaped per RFC 5424 section 6.3.3 before they are compiled, and
 * escaped again when rendered. `where` names the option in errors.
 */
export function compileStructuredData(source: string | undefined, where: string): CompiledStructuredData {
  if (source === undefined || source.trim() === '' || source.trim() === '-') return { render: () => '-', maxBytes: 1, usesFields: false };
  const fail = (at: number, what: string): never => {
    // The text itself is never quoted: it may hold a secret (Loggly's token is part of its SD-ID).
    throw new ConfigError([`${where}: ${what} at position ${at}; expected RFC 5424 elements such as '[name@32473 key="value"]'`]);
  };
  const parts: Part[] = [];
  const ids = new Set<string>();
  let usesFields = false;
  let i = 0;
  const readName = (what: string): string => {
    const start = i;
    while (i < source.length && isNameChar(source[i]!)) i++;
    if (i === start) fail(i, `${what} expected`);
    return source.slice(start, i);
  };
  while (i < source.length) {
    while (source[i] === ' ') i++;
    if (i >= source.length) break;
    if (source[i] !== '[') fail(i, '"[" expected');
    i++;
    const idAt = i;
    const id = readName('an SD-ID');
    const enterprise = ENTERPRISE_ID.exec(id);
    if (!enterprise && !REGISTERED_IDS.has(id)) {
      fail(idAt, 'the SD-ID is neither name@<private enterprise number> (e.g. "mine@32473") nor one RFC 5424 registers (timeQuality, origin, meta)');
    }
    if (id.length > (enterprise ? SD_ENTERPRISE_ID_MAX : SD_NAME_MAX)) fail(idAt, `the SD-ID is ${id.length} characters, over ${enterprise ? SD_ENTERPRISE_ID_MAX : SD_NAME_MAX}`);
    if (ids.has(id)) fail(idAt, 'the SD-ID appears twice (RFC 5424 allows each once per message)');
    ids.add(id);
    parts.push({ kind: 'text', text: `[${id}` });
    while (source[i] === ' ') {
      while (source[i] === ' ') i++;
      if (source[i] === ']') break;
      const nameAt = i;
      const name = readName('a PARAM-NAME');
      if (name.length > SD_NAME_MAX) fail(nameAt, `PARAM-NAME "${name}" is longer than ${SD_NAME_MAX} characters`);
      if (source[i] !== '=') fail(i, `"=" expected after PARAM-NAME "${name}"`);
      i++;
      if (source[i] !== '"') fail(i, `'"' expected to open the value of ${name}`);
      i++;
      let value = '';
      while (i < source.length && source[i] !== '"') {
        const c = source[i]!;
        if (c === '\\' && (source[i + 1] === '"' || source[i + 1] === '\\' || source[i + 1] === ']')) {
          value += source[i + 1];
          i += 2;
          continue;
        }
        if (c === ']') fail(i, `unescaped "]" in the value of ${name} (write \\])`);
        value += c;
        i++;
      }
      if (i >= source.length) fail(i, `the value of ${name} is not closed with '"'`);
      i++;
      parts.push({ kind: 'text', text: ` ${name}="` });
      if (value.includes('{') || value.includes('}')) {
        const template = compileTemplate(value, `${where}: value of ${name}`);
        usesFields ||= template.usesFields;
        parts.push({ kind: 'value', render: template });
      } else {
        parts.push({ kind: 'text', text: escapeParamValue(value) });
      }
      parts.push({ kind: 'text', text: '"' });
    }
    if (source[i] !== ']') fail(i, '"]" expected to close the element');
    i++;
    parts.push({ kind: 'text', text: ']' });
  }
  // Adjacent literal text joined, so a render concatenates few pieces.
  const merged: Part[] = [];
  for (const part of parts) {
    const last = merged.at(-1);
    if (part.kind === 'text' && last?.kind === 'text') last.text += part.text;
    else merged.push(part.kind === 'text' ? { ...part } : part);
  }
  let maxBytes = 0;
  for (const part of merged) maxBytes += part.kind === 'text' ? Buffer.byteLength(part.text) : SD_VALUE_MAX_BYTES;
  const only = merged.length === 1 ? merged[0] : undefined;
  if (only?.kind === 'text') {
    const fixed = only.text;
    return { render: () => fixed, maxBytes, usesFields: false };
  }
  return {
    render(input) {
      let out = '';
      for (const part of merged) out += part.kind === 'text' ? part.text : escapeParamValue(part.render(input));
      return out;
    },
    maxBytes,
    usesFields,
  };
}
