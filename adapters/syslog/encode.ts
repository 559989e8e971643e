// Records -> syslog messages (RFC 5424 or RFC 3164), each within max_message_bytes, framed for the transport.
import { ConfigError } from '../../src/model/errors.ts';
import type { Level, LogRecord, RecordSource } from '../../src/model/log-record.ts';
import { recordToJsonLine } from '../../src/normalize/encode.ts';
import { compileTemplate, type TemplateInput } from '../../src/normalize/template.ts';
import type { Encoded } from '../../src/pipeline/destination.ts';
import { fitEvent, type OversizeMode } from '../http/oversize.ts';
import { escapeForFraming, hostChars, NILVALUE, printUsAscii, priorities, RFC3164_LIMITS, RFC5424_LIMITS, rfc3164Time, rfc5424Time, tagChars } from './header.ts';
import { compileStructuredData } from './structured-data.ts';

export type SyslogFormat = 'rfc5424' | 'rfc3164';
/** How messages are delimited: RFC 6587 octet counting or a trailing line feed on streams, one per datagram on UDP. */
export type Framing = 'octet-counting' | 'newline' | 'datagram';

export interface EncoderOptions {
  format: SyslogFormat;
  framing: Framing;
  facility: number;
  appName: string;
  hostname: string;
  procid: string;
  msgid: string;
  structuredData: string | undefined;
  message: 'json' | 'text';
  maxMessageBytes: number;
  oversize: OversizeMode;
  /** Names the destination's options in errors, e.g. "destinations.syslog". */
  where: string;
}

/** Room kept for a split message's own text besides its header and marker, in the start-up size check. */
const MIN_TEXT_ROOM = 64;
/** fitEvent's reserve for its longest marker (adapters/http/oversize.ts), counted in the start-up size check. */
const MARKER_ROOM = ' [journal-fanout truncated 999999999999 bytes]'.length;
/** Longest PRI and TIMESTAMP: "<191>1 " + 24 characters of RFC 3339 with milliseconds; "<191>" + "Mmm dd hh:mm:ss". */
const RFC5424_PRI_TIME_BYTES = '<191>1 '.length + '2026-01-02T03:04:05.678Z'.length;
const RFC3164_PRI_TIME_BYTES = '<191>'.length + 'Mmm dd hh:mm:ss'.length;

/** Turns records into framed syslog messages; templates and limits are compiled once, here. */
export class SyslogEncoder {
  readonly #o: EncoderOptions;
  readonly #pri: Readonly<Record<Level, string>>;
  readonly #head: (input: TemplateInput) => string;
  readonly #headBySource = new WeakMap<RecordSource, string>();
  readonly #headUsesFields: boolean;
  readonly #newline: boolean;

  constructor(o: EncoderOptions) {
    this.#o = o;
    this.#pri = priorities(o.facility);
    this.#newline = o.framing === 'newline';
    const t = (template: string, key: string) => compileTemplate(template, `${o.where}.${key}`);
    const host = t(o.hostname, 'hostname');
    const app = t(o.appName, 'app_name');
    const procid = t(o.procid, 'procid');
    let headBytes: number;
    if (o.format === 'rfc5424') {
      const msgid = t(o.msgid, 'msgid');
      const sd = compileStructuredData(o.structuredData, `${o.where}.structured_data`);
      this.#head = (r) =>
        ' ' + hostChars(host(r), RFC5424_LIMITS.hostname) + ' ' + printUsAscii(app(r), RFC5424_LIMITS.appName) + ' ' +
        printUsAscii(procid(r), RFC5424_LIMITS.procid) + ' ' + printUsAscii(msgid(r), RFC5424_LIMITS.msgid) + ' ' + sd.render(r);
      this.#headUsesFields = host.usesFields || app.usesFields || procid.usesFields || msgid.usesFields || sd.usesFields;
      headBytes = RFC5424_PRI_TIME_BYTES + 4 + RFC5424_LIMITS.hostname + RFC5424_LIMITS.appName + RFC5424_LIMITS.procid + RFC5424_LIMITS.msgid + 1 + sd.maxBytes;
    } else {
      this.#head = (r) => {
        const pid = tagChars(procid(r), RFC3164_LIMITS.pid);
        return ' ' + hostChars(host(r), RFC3164_LIMITS.hostname) + ' ' + tagChars(app(r), RFC3164_LIMITS.tag) + (pid === NILVALUE ? ':' : `[${pid}]:`);
      };
      this.#headUsesFields = host.usesFields || app.usesFields || procid.usesFields;
      headBytes = RFC3164_PRI_TIME_BYTES + 2 + RFC3164_LIMITS.hostname + RFC3164_LIMITS.tag + RFC3164_LIMITS.pid + 3;
    }
    // A header that could leave no room for the text would make split parts that never fit: refuse at start-up.
    const needed = headBytes + 1 + MARKER_ROOM + MIN_TEXT_ROOM;
    if (needed > o.maxMessageBytes) {
      throw new ConfigError([
        `${o.where}.max_message_bytes: ${o.maxMessageBytes} bytes leave no room for the text: the ${o.format} header can take ${headBytes} bytes (fields at their RFC limits` +
          `${o.structuredData ? ', structured_data with each templated value at its 256-byte cap' : ''}); set max_message_bytes to at least ${needed}` +
          (o.structuredData ? ' or use fewer templated values in structured_data' : ''),
      ]);
    }
  }

  /** What follows PRI and TIMESTAMP up to the message: computed once per source when no template reads fields. */
  #headOf(record: LogRecord): string {
    if (this.#headUsesFields) return this.#head(record);
    let head = this.#headBySource.get(record.source);
    if (head === undefined) {
      head = this.#head(record);
      this.#headBySource.set(record.source, head);
    }
    return head;
  }

  /** The record's syslog message(s), unframed: one, or several when split to fit max_message_bytes. */
  lines(record: LogRecord): string[] {
    const o = this.#o;
    const head = this.#pri[record.level] + (o.format === 'rfc5424' ? '1 ' + rfc5424Time(record.time) : rfc3164Time(record.time)) + this.#headOf(record);
    if (o.message === 'text') {
      let text = escapeForFraming(record.message, this.#newline);
      // RFC 5424 section 6.4: a MSG that starts with the BOM is UTF-8 and receivers drop that BOM; one of ours goes first.
      if (o.format === 'rfc5424' && text.charCodeAt(0) === 0xfeff) text = '\ufeff' + text;
      const build = (message: string): string => (message === '' ? head : head + ' ' + message);
      return fitEvent(text, null, build, o.maxMessageBytes, o.oversize);
    }
    const build = (message: string, withFields: boolean): string =>
      head + ' ' + recordToJsonLine(message === record.message && withFields ? record : { ...record, message, fields: withFields ? record.fields : {} });
    const whole = build(record.message, true);
    if (whole.length <= o.maxMessageBytes / 3 || Buffer.byteLength(whole) <= o.maxMessageBytes) return [whole];
    // An envelope (source names) with no room left for text would split into parts that never fit: encode() cuts it once.
    if (Buffer.byteLength(build('', false)) + MARKER_ROOM + MIN_TEXT_ROOM > o.maxMessageBytes) return [whole];
    return fitEvent(record.message, () => JSON.stringify(record.fields), build, o.maxMessageBytes, o.oversize);
  }

  /** The record as framed events for the batcher; `size` is the bytes on the wire. */
  encode(record: LogRecord): Array<Encoded<string>> {
    const out: Array<Encoded<string>> = [];
    for (let line of this.lines(record)) {
      let bytes = Buffer.byteLength(line);
      if (bytes > this.#o.maxMessageBytes) [line, bytes] = hardCut(line, this.#o.maxMessageBytes);
      out.push(this.#frame(line, bytes, record.time));
    }
    return out;
  }

  #frame(line: string, bytes: number, time: number): Encoded<string> {
    switch (this.#o.framing) {
      case 'octet-counting': {
        const prefix = `${bytes} `;
        return { data: prefix + line, size: prefix.length + bytes, time };
      }
      case 'newline':
        return { data: line + '\n', size: bytes + 1, time };
      default:
        return { data: line, size: bytes, time };
    }
  }
}

/**
 * The last guard of the size limit: a line still over it (a JSON envelope larger than the limit, from huge
 * container or ECS names) is cut at a UTF-8 boundary and marked, so that the receiver never sees an oversize
 * or broken frame. The header, bounded at start-up, is never cut.
 */
export function hardCut(line: string, max: number): [string, number] {
  const bytes = Buffer.from(line, 'utf8');
  let end = max - MARKER_ROOM;
  while (end > 0 && (bytes[end]! & 0xc0) === 0x80) end--;
  const cut = `${bytes.subarray(0, end).toString('utf8')} [journal-fanout truncated ${bytes.length - end} bytes]`;
  return [cut, Buffer.byteLength(cut)];
}
