// Strict readers of RFC 5424 and RFC 3164 messages and of RFC 6587 frames, written from the RFCs' ABNF, for the tests.
import assert from 'node:assert/strict';

export interface Parsed5424 {
  pri: number;
  timestamp: string;
  hostname: string;
  appName: string;
  procid: string;
  msgid: string;
  /** Elements in order: id and params (names may repeat), values unescaped. */
  sd: Array<{ id: string; params: Array<[string, string]> }>;
  msg: string | undefined;
}

const PRINTUSASCII = /^[\x21-\x7e]+$/;
const TIMESTAMP = /^\d{4}-(0[1-9]|1[0-2])-(0[1-9]|[12]\d|3[01])T([01]\d|2[0-3]):[0-5]\d:([0-5]\d|60)(\.\d{1,6})?(Z|[+-]([01]\d|2[0-3]):[0-5]\d)$/;

function headerField(value: string, max: number, name: string): string {
  assert.ok(value.length >= 1 && value.length <= max, `${name} length ${value.length} not in 1..${max}: ${JSON.stringify(value)}`);
  assert.match(value, PRINTUSASCII, `${name} not PRINTUSASCII: ${JSON.stringify(value)}`);
  return value;
}

function sdName(text: string, at: number, max: number, what: string): [string, number] {
  let i = at;
  while (i < text.length && /[\x21-\x7e]/.test(text[i]!) && !'= ]"'.includes(text[i]!)) i++;
  const name = text.slice(at, i);
  assert.ok(name.length >= 1 && name.length <= max, `${what} length ${name.length} not in 1..${max} at ${at}`);
  return [name, i];
}

/** Parses a message by RFC 5424 section 6 (SD-IDs of the name@number form may be 64 characters: our Loggly exception). */
export function parse5424(line: string): Parsed5424 {
  const head = /^<(\d{1,3})>1 (\S+) (\S+) (\S+) (\S+) (\S+) /.exec(line);
  assert.ok(head, `no RFC 5424 header: ${JSON.stringify(line.slice(0, 200))}`);
  const pri = Number(head[1]);
  assert.ok(pri <= 191 && String(pri) === head[1], `PRI ${head[1]}`);
  const timestamp = head[2]!;
  if (timestamp !== '-') assert.match(timestamp, TIMESTAMP, 'TIMESTAMP');
  const out: Parsed5424 = {
    pri,
    timestamp,
    hostname: headerField(head[3]!, 255, 'HOSTNAME'),
    appName: headerField(head[4]!, 48, 'APP-NAME'),
    procid: headerField(head[5]!, 128, 'PROCID'),
    msgid: headerField(head[6]!, 32, 'MSGID'),
    sd: [],
    msg: undefined,
  };
  let i = head[0].length;
  if (line[i] === '-') i++;
  else {
    assert.equal(line[i], '[', 'STRUCTURED-DATA must be "-" or start with "["');
    const ids = new Set<string>();
    while (line[i] === '[') {
      const [id, after] = sdName(line, i + 1, 64, 'SD-ID');
      assert.ok(id.length <= 32 || /^[^@]+@\d+(\.\d+)*$/.test(id), `SD-ID over 32 characters and not name@number: ${id}`);
      assert.ok(!ids.has(id), `SD-ID ${id} twice`);
      ids.add(id);
      i = after;
      const params: Array<[string, string]> = [];
      while (line[i] === ' ') {
        const [name, eq] = sdName(line, i + 1, 32, 'PARAM-NAME');
        assert.equal(line.slice(eq, eq + 2), '="', `PARAM ${name}: '="' expected`);
        i = eq + 2;
        let value = '';
        for (;;) {
          const c = line[i];
          assert.ok(c !== undefined, 'PARAM-VALUE not closed');
          if (c === '"') break;
          if (c === '\\' && (line[i + 1] === '"' || line[i + 1] === '\\' || line[i + 1] === ']')) {
            value += line[i + 1];
            i += 2;
            continue;
          }
          assert.notEqual(c, ']', `unescaped "]" in PARAM-VALUE of ${name}`);
          assert.notEqual(c, '\\', `unescaped "\\" in PARAM-VALUE of ${name}`);
          value += c;
          i++;
        }
        i++;
        params.push([name, value]);
      }
      assert.equal(line[i], ']', 'SD-ELEMENT not closed');
      i++;
      out.sd.push({ id, params });
    }
  }
  if (i < line.length) {
    assert.equal(line[i], ' ', 'SP expected before MSG');
    out.msg = line.slice(i + 1);
  }
  return out;
}

export interface Parsed3164 {
  pri: number;
  timestamp: string;
  hostname: string;
  tag: string;
  pid: string | undefined;
  msg: string;
}

/** Parses "<PRI>Mmm dd hh:mm:ss HOSTNAME TAG[PID]: MSG" with the TAG limits of RFC 3164 section 4.1.3. */
export function parse3164(line: string): Parsed3164 {
  const m = /^<(\d{1,3})>((?:Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Oct|Nov|Dec) [ 1-3]\d \d\d:\d\d:\d\d) ([\x21-\x7e]{1,255}) ([A-Za-z0-9._/-]{1,32})(?:\[([A-Za-z0-9._/-]{1,128})\])?:(?: (.*))?$/s.exec(line);
  assert.ok(m, `not RFC 3164: ${JSON.stringify(line.slice(0, 200))}`);
  assert.ok(Number(m[1]) <= 191);
  return { pri: Number(m[1]), timestamp: m[2]!, hostname: m[3]!, tag: m[4]!, pid: m[5], msg: m[6] ?? '' };
}

/** Splits a stream of frames: RFC 6587 octet counting ("LEN SP MSG") or newline framing; checks each frame. */
export function unframe(data: string, framing: 'octet-counting' | 'newline'): string[] {
  const out: string[] = [];
  const bytes = Buffer.from(data, 'utf8');
  let i = 0;
  while (i < bytes.length) {
    if (framing === 'newline') {
      const end = bytes.indexOf(0x0a, i);
      assert.ok(end >= 0, 'last frame has no line feed');
      const frame = bytes.subarray(i, end);
      assert.ok(!frame.includes(0), 'NUL inside a newline-framed message');
      out.push(frame.toString('utf8'));
      i = end + 1;
      continue;
    }
    const space = bytes.indexOf(0x20, i);
    const digits = bytes.subarray(i, space).toString('latin1');
    assert.match(digits, /^[1-9]\d*$/, `MSG-LEN ${JSON.stringify(digits)}`);
    const length = Number(digits);
    assert.ok(space + 1 + length <= bytes.length, 'frame longer than the data');
    out.push(bytes.subarray(space + 1, space + 1 + length).toString('utf8'));
    i = space + 1 + length;
  }
  return out;
}
