// Syslog encoding: the exact RFC 5424 / RFC 3164 lines, header limits and escaping, framing, oversize messages,
// and (property) that no record, whatever its names and text, makes a malformed or oversize frame.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import syslog from '../../../adapters/syslog/index.ts';
import { compileStructuredData, escapeParamValue, SD_VALUE_MAX_BYTES } from '../../../adapters/syslog/structured-data.ts';
import { rfc3164Time } from '../../../adapters/syslog/header.ts';
import { ConfigError } from '../../../src/model/errors.ts';
import { LEVELS, type LogRecord } from '../../../src/model/log-record.ts';
import { capturedLogger, sampleRecord } from '../../standins/sample-records.ts';
import { arbitraryRecord } from './arbitrary-records.ts';
import { parse3164, parse5424, unframe } from './rfc-check.ts';

function destination(options: Record<string, unknown>) {
  return syslog.create(syslog.schema.parse({ type: 'syslog', url: 'tcp://127.0.0.1:5140', ...options }), { id: 'syslog', host: 'h', logger: capturedLogger().logger });
}

/** The record's frames as sent, and the messages inside them. */
function encode(options: Record<string, unknown>, record: LogRecord): { frames: string[]; lines: string[] } {
  const d = destination(options);
  const events = d.encode(record);
  for (const e of events) assert.equal(e.size, Buffer.byteLength(e.data as string), 'size is the bytes on the wire');
  const frames = events.map((e) => e.data as string);
  const framing = String(options.url ?? '').startsWith('udp') ? undefined : ((options.framing as 'newline' | undefined) ?? 'octet-counting');
  const lines = framing ? frames.flatMap((f) => unframe(f, framing)) : frames;
  return { frames, lines };
}

describe('RFC 5424', () => {
  test('a record as one octet-counted message: PRI from facility and level, APP-NAME the service, PROCID the stream, MSG the ecs-logs JSON', () => {
    const record = sampleRecord(3); // level "error", service svc-3, stream c0ffee000003
    const { frames, lines } = encode({ structured_data: '[meta@32473 svc="{service}" env="prod"]' }, record);
    assert.equal(frames.length, 1);
    const line = lines[0]!;
    assert.equal(frames[0], `${Buffer.byteLength(line)} ${line}`);
    const json = '{"level":"ERROR","time":"2026-01-02T03:04:05.681Z","message":"message 3","info":{"host":"host-a","source":"svc-3-1","id":"c0ffee000003","pid":103},"data":{"fields":{"seq":3,"user":"u3"},"service":"svc-3","stream":"c0ffee000003","container":{"id":"c0ffee000003","name":"svc-3-1","image":"repo/svc-3:1"}}}';
    assert.equal(line, `<11>1 2026-01-02T03:04:05.681Z host-a svc-3 c0ffee000003 - [meta@32473 svc="svc-3" env="prod"] ${json}`);
    const parsed = parse5424(line);
    assert.deepEqual(parsed.sd, [{ id: 'meta@32473', params: [['svc', 'svc-3'], ['env', 'prod']] }]);
  });

  test('facility by name or code; every level maps to its severity', () => {
    for (const [facility, code] of [['local0', 16], ['kern', 0], [23, 23], ['user', 1]] as const) {
      for (let i = 0; i < 8; i++) {
        const pri = parse5424(encode({ facility }, sampleRecord(i)).lines[0]!).pri;
        assert.equal(pri, code * 8 + i, `facility ${facility}, level ${sampleRecord(i).level}`);
      }
    }
  });

  test('message: text sends the text alone; templates for every header field; newline framing ends each message with LF', () => {
    const { frames, lines } = encode(
      { message: 'text', framing: 'newline', app_name: '{container.name}', hostname: 'node-{host}', procid: '{pid}', msgid: 'M{service}' },
      sampleRecord(1, { message: 'hello world' }), // level alert: severity 1, facility user: <9>
    );
    assert.equal(frames[0], `${lines[0]}\n`);
    assert.equal(lines[0], '<9>1 2026-01-02T03:04:05.679Z node-host-a svc-1-1 101 Msvc-1 - hello world');
  });

  test('header fields keep to PRINTUSASCII and their lengths; an empty value becomes "-"', () => {
    const record = sampleRecord(0);
    record.source = { ...record.source, service: 'my service/ä'.padEnd(60, 'x'), host: 'h'.repeat(300), stream: 's'.repeat(200) };
    const p = parse5424(encode({ msgid: '{fields.none|""}' }, record).lines[0]!);
    assert.equal(p.appName, 'my_service/_' + 'x'.repeat(36));
    assert.equal(p.hostname, 'h'.repeat(255));
    assert.equal(p.procid, 's'.repeat(128));
    assert.equal(p.msgid, '-');
  });

  test('a time RFC 5424 cannot write (before 1970 or after 9999) is the NILVALUE', () => {
    assert.equal(parse5424(encode({}, { ...sampleRecord(0), time: -1 }).lines[0]!).timestamp, '-');
    assert.equal(parse5424(encode({}, { ...sampleRecord(0), time: 253_402_300_800_000 }).lines[0]!).timestamp, '-');
  });

  test('NUL in a text message is "#000" whatever the framing; LF is "#012" under newline framing only', () => {
    const record = sampleRecord(0, { message: 'a\nb\0c\r\td' });
    assert.equal(parse5424(encode({ message: 'text' }, record).lines[0]!).msg, 'a\nb#000c\r\td');
    assert.equal(parse5424(encode({ message: 'text', framing: 'newline' }, record).lines[0]!).msg, 'a#012b#000c\r\td');
    assert.equal(parse5424(encode({ message: 'text', url: 'udp://127.0.0.1:514' }, record).lines[0]!).msg, 'a\nb#000c\r\td');
  });

  test('a text message starting with a BOM gets one more in front, which receivers drop (RFC 5424 section 6.4)', () => {
    assert.equal(parse5424(encode({ message: 'text' }, sampleRecord(0, { message: '\ufeffx' })).lines[0]!).msg, '\ufeff\ufeffx');
  });
});

describe('RFC 3164', () => {
  test('"<PRI>Mmm dd hh:mm:ss HOST TAG[PID]: MSG" in UTC', () => {
    const { lines } = encode({ format: 'rfc3164', message: 'text', framing: 'newline' }, sampleRecord(6, { message: 'plain text' }));
    assert.equal(lines[0], '<14>Jan  2 03:04:05 host-a svc-2[c0ffee000002]: plain text');
    assert.deepEqual(parse3164(lines[0]!), { pri: 14, timestamp: 'Jan  2 03:04:05', hostname: 'host-a', tag: 'svc-2', pid: 'c0ffee000002', msg: 'plain text' });
  });

  test('TAG: 32 characters of letters, digits, "._-/"; a "-" PROCID leaves out [PID]', () => {
    const record = sampleRecord(0);
    record.source = { ...record.source, service: 'web:api [v2] '.padEnd(40, 'y') };
    const p = parse3164(encode({ format: 'rfc3164', procid: '-' }, record).lines[0]!);
    assert.equal(p.tag, 'web_api__v2__' + 'y'.repeat(19));
    assert.equal(p.pid, undefined);
  });

  test('timestamps: day padded with a space, two-digit days as is, in UTC', () => {
    assert.equal(rfc3164Time(Date.UTC(2026, 10, 24, 16, 52, 13, 999)), 'Nov 24 16:52:13');
    assert.equal(rfc3164Time(Date.UTC(2026, 1, 3, 0, 0, 0)), 'Feb  3 00:00:00');
  });

  test('structured data and MSGID belong to RFC 5424: the schema says so', () => {
    const r = syslog.schema.safeParse({ type: 'syslog', url: 'udp://h', format: 'rfc3164', structured_data: '[a@1 b="c"]', msgid: 'x' });
    assert.equal(r.success, false);
    const text = JSON.stringify(r.error?.issues);
    assert.match(text, /structured data exists in rfc5424 only/);
    assert.match(text, /MSGID exists in rfc5424 only/);
  });
});

describe('structured data', () => {
  test('values are escaped (\\" \\\\ \\]) and control characters written as #ooo; values are cut at 256 bytes, never inside an escape', () => {
    assert.equal(escapeParamValue('a"b\\c]d\ne'), 'a\\"b\\\\c\\]d#012e');
    const long = escapeParamValue(']'.repeat(200));
    assert.equal(long, '\\]'.repeat(128));
    assert.ok(Buffer.byteLength(escapeParamValue('é'.repeat(300))) <= SD_VALUE_MAX_BYTES);
  });

  test('repeated PARAM-NAMEs (Loggly\'s tag="a" tag="b"), a 42-character Loggly SD-ID, spaces between elements tolerated and dropped', () => {
    const sd = compileStructuredData('[0123abcd-aaaa-bbbb-cccc-0123456789ab@41058 tag="{service}" tag="x\\"y"]  [origin ip="10.0.0.1"]', 'd');
    assert.equal(sd.render(sampleRecord(1)), '[0123abcd-aaaa-bbbb-cccc-0123456789ab@41058 tag="svc-1" tag="x\\"y"][origin ip="10.0.0.1"]');
    assert.equal(sd.usesFields, false);
    assert.equal(compileStructuredData('[a@1 f="{fields.user}"]', 'd').usesFields, true);
  });

  const bad: Array<[string, RegExp]> = [
    ['a@1 b="c"]', /"\[" expected at position 0/],
    ['[nope b="c"]', /neither name@<private enterprise number>/],
    ['[a@1 b=c]', /'"' expected to open the value of b/],
    ['[a@1 b="c]', /unescaped "\]" in the value of b/],
    ['[a@1 b="c"', /"\]" expected to close the element/],
    ['[a@1 b="c"][a@1 d="e"]', /appears twice/],
    [`[a@1 ${'p'.repeat(33)}="v"]`, /PARAM-NAME "p+" is longer than 32/],
    [`[${'t'.repeat(64)}@41058]`, /the SD-ID is 70 characters, over 64/],
    ['[a@1 b="{nope}"]', /value of b: unknown name "nope"/],
  ];
  for (const [text, error] of bad) {
    test(`refused at start-up: ${text.slice(0, 40)}`, () => {
      assert.throws(() => compileStructuredData(text, 'destinations.syslog.structured_data'), (e: unknown) => e instanceof ConfigError && error.test(e.message) && e.message.startsWith('destinations.syslog.structured_data'));
    });
  }

  test('an error never quotes the SD-ID, which may hold Loggly\'s token', () => {
    const token = '0123abcd-aaaa-bbbb-cccc-0123456789ab';
    for (const text of [`[${token}@41058 tag="x"][${token}@41058]`, `[${token}@41058 tag=x]`, `[${token} tag="x"]`]) {
      assert.throws(() => compileStructuredData(text, 'd'), (e: unknown) => e instanceof Error && !e.message.includes(token));
    }
  });
});

describe('oversize messages', () => {
  const PART = / \[journal-fanout part (\d+)\/(\d+)\]$/;

  test('a text message over max_message_bytes is split into marked parts, each within the limit, that join back', () => {
    const message = 'é'.repeat(5000) + 'end';
    const { lines } = encode({ message: 'text', max_message_bytes: 2048 }, sampleRecord(0, { message }));
    assert.ok(lines.length >= 5);
    let joined = '';
    lines.forEach((line, i) => {
      assert.ok(Buffer.byteLength(line) <= 2048, `part ${i} is ${Buffer.byteLength(line)} bytes`);
      const msg = parse5424(line).msg!;
      const m = PART.exec(msg);
      assert.ok(m);
      assert.equal(Number(m[1]), i + 1);
      joined += msg.replace(PART, '');
    });
    assert.equal(joined, message);
  });

  test('json: parts carry the record envelope; fields ride in the first part', () => {
    const { lines } = encode({ max_message_bytes: 4096 }, sampleRecord(0, { message: 'x'.repeat(10_000) }));
    assert.ok(lines.length >= 3);
    const bodies = lines.map((l) => JSON.parse(parse5424(l).msg!) as { message: string; data: { fields: Record<string, unknown>; service: string } });
    assert.deepEqual(bodies[0]!.data.fields, { seq: 0, user: 'u0' });
    assert.deepEqual(bodies[1]!.data.fields, {});
    assert.ok(bodies.every((b) => b.data.service === 'svc-0'));
    assert.equal(bodies.map((b) => b.message.replace(PART, '')).join(''), 'x'.repeat(10_000));
  });

  test('oversize: truncate keeps the start within the limit, marked with the bytes cut', () => {
    const { lines } = encode({ message: 'text', oversize: 'truncate', url: 'udp://127.0.0.1:514', format: 'rfc3164' }, sampleRecord(0, { message: 'z'.repeat(3000) }));
    assert.equal(lines.length, 1);
    assert.ok(Buffer.byteLength(lines[0]!) <= 1024, 'RFC 3164 UDP default: 1024 bytes');
    const m = / \[journal-fanout truncated (\d+) bytes\]$/.exec(parse3164(lines[0]!).msg);
    assert.ok(m);
  });

  test('defaults per transport: 2048 over UDP with RFC 5424, 1024 with RFC 3164, 8192 over TCP', () => {
    const size = (options: Record<string, unknown>) => Math.max(...encode({ message: 'text', ...options }, sampleRecord(0, { message: 'q'.repeat(20_000) })).lines.map((l) => Buffer.byteLength(l)));
    const udp5424 = size({ url: 'udp://127.0.0.1:514' });
    const udp3164 = size({ url: 'udp://127.0.0.1:514', format: 'rfc3164' });
    const tcp = size({});
    assert.ok(udp5424 <= 2048 && udp5424 > 1900, String(udp5424));
    assert.ok(udp3164 <= 1024 && udp3164 > 900, String(udp3164));
    assert.ok(tcp <= 8192 && tcp > 8000, String(tcp));
  });

  test('a JSON envelope larger than the limit (huge container names) is cut once, marked, never split into thousands of parts', () => {
    const record = sampleRecord(0, { message: 'm'.repeat(5000) });
    record.source = { ...record.source, container: { id: 'c', name: 'n'.repeat(3000), image: 'i' } };
    const { lines } = encode({ max_message_bytes: 1024 }, record);
    assert.equal(lines.length, 1);
    assert.ok(Buffer.byteLength(lines[0]!) <= 1024);
    assert.match(lines[0]!, / \[journal-fanout truncated \d+ bytes\]$/);
    parse5424(lines[0]!);
  });

  test('a max_message_bytes that leaves no room after the largest header is refused at start-up, naming the minimum', () => {
    assert.throws(() => destination({ max_message_bytes: 480 }), /max_message_bytes: 480 bytes leave no room for the text: the rfc5424 header can take \d+ bytes .*set max_message_bytes to at least \d+/);
    assert.throws(() => destination({ max_message_bytes: 1200, structured_data: '[a@1 x="{service}" y="{host}" z="{stream}"]' }), /or use fewer templated values in structured_data/);
  });
});

describe('property: every frame is well formed and within the limit, whatever the record', () => {
  const variants: Array<Record<string, unknown>> = [
    { message: 'text' },
    { message: 'text', framing: 'newline' },
    { message: 'json', framing: 'newline', max_message_bytes: 1500, oversize: 'truncate' },
    { message: 'text', url: 'udp://127.0.0.1:514', max_message_bytes: 1200 },
    { format: 'rfc3164', message: 'text', framing: 'newline', max_message_bytes: 1024 },
    { format: 'rfc3164', message: 'json', url: 'udp://127.0.0.1:514' },
  ];
  for (const variant of variants) {
    test(JSON.stringify(variant), () => {
      const max = (variant.max_message_bytes as number | undefined) ?? (variant.url ? (variant.format === 'rfc3164' ? 1024 : 2048) : 8192);
      const options = { ...variant, ...(variant.format === 'rfc3164' ? {} : { structured_data: '[x@32473 svc="{service}" name="{container.name}"]' }) };
      fc.assert(
        fc.property(arbitraryRecord, (record) => {
          const { lines } = encode(options, record);
          assert.ok(lines.length >= 1);
          for (const line of lines) {
            assert.ok(Buffer.byteLength(line) <= max, `${Buffer.byteLength(line)} > ${max}`);
            if (variant.format === 'rfc3164') {
              assert.ok(!line.includes('\0'));
              if (variant.framing === 'newline') assert.ok(!line.includes('\n'));
              parse3164(line);
            } else {
              const p = parse5424(line);
              assert.equal(p.pri, 8 + LEVELS.indexOf(record.level));
              assert.deepEqual(p.sd.map((e) => e.params.map(([k]) => k)), [['svc', 'name']]);
            }
          }
        }),
        { numRuns: 200 },
      );
    });
  }
});

test('streams are batched in `concurrency` groups: a stream always in the same group, streams spread over all', () => {
  const d = destination({ concurrency: 8 });
  const groups = new Set<string>();
  for (let i = 0; i < 400; i++) {
    const record = sampleRecord(i, { services: 200 });
    const key = d.key(record);
    assert.equal(key, d.key({ ...record, source: { ...record.source } }), 'same stream, same group');
    groups.add(key);
  }
  assert.deepEqual([...groups].sort(), ['0', '1', '2', '3', '4', '5', '6', '7']);
});
