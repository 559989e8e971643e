// parseSyslog: what Docker's syslog driver sends in each syslog-format, the RFCs' own examples, lenient
// reading of anything else (never throws, never loses content), and the SYSLOG_TIMESTAMP formats.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import fc from 'fast-check';
import { parseSyslog, preciseUtcTimestamp, rfc3339NanoUtc } from '../../src/proxy/syslog-message.ts';
import { dockerSyslogMessage, type DockerSyslogFormat } from '../helpers/syslog-client.ts';

const FORMATS: DockerSyslogFormat[] = ['unix', 'rfc3164', 'rfc5424', 'rfc5424micro'];
const text = (b: Buffer) => b.toString('utf8');

describe('what Docker sends', () => {
  for (const format of FORMATS) {
    test(`syslog-format ${format}: tag, severity by stream, content without srslog's "\\n"`, () => {
      const now = new Date(2026, 10, 4, 9, 8, 7, 654);
      const out = parseSyslog(dockerSyslogMessage('GET /health 200 {"a":1}', { format, tag: '3f2a9c1d7e4b', hostname: 'ip-10-0-1-23', now }));
      assert.equal(out.tag, '3f2a9c1d7e4b');
      assert.equal(out.severity, 6);
      assert.equal(out.facility, 3, 'daemon, Docker\'s default syslog-facility');
      assert.equal(text(out.content), 'GET /health 200 {"a":1}');
      assert.equal(out.format, format.startsWith('rfc5424') ? 'rfc5424' : 'rfc3164');
      assert.equal(out.hostname, format === 'unix' ? undefined : 'ip-10-0-1-23');
      if (format === 'unix' || format === 'rfc3164') assert.equal(out.timestamp, 'Nov  4 09:08:07');
      else assert.match(out.timestamp!, format === 'rfc5424' ? /^2026-11-04T09:08:07(Z|[+-]\d\d:\d\d)$/ : /^2026-11-04T09:08:07\.654123(Z|[+-]\d\d:\d\d)$/);
      assert.equal(out.pid, '1234');
      const err = parseSyslog(dockerSyslogMessage('boom', { format, tag: '3f2a9c1d7e4b', stream: 'stderr' }));
      assert.equal(err.severity, 3);
      assert.equal(text(err.content), 'boom');
    });
  }

  test('old Docker versions prefix the tag with "docker/": the parser keeps it (the service strips it)', () => {
    assert.equal(parseSyslog(Buffer.from('<30>Jan  2 03:04:05 docker/3f2a9c1d7e4b[99]: x\n')).tag, 'docker/3f2a9c1d7e4b');
  });

  test('a tag template with a colon ({{.ImageName}}) and one with slashes', () => {
    const out = parseSyslog(dockerSyslogMessage('hi', { format: 'rfc3164', tag: 'nginx:1.27' }));
    assert.equal(out.tag, 'nginx:1.27');
    assert.equal(text(out.content), 'hi');
    const named = parseSyslog(dockerSyslogMessage('hi: there', { format: 'unix', tag: 'web/ecs-web-3-app-e8c1/3f2a9c1d7e4b' }));
    assert.equal(named.tag, 'web/ecs-web-3-app-e8c1/3f2a9c1d7e4b');
    assert.equal(text(named.content), 'hi: there');
  });

  test('an empty line, a line of spaces, bytes that are not UTF-8: content kept exactly', () => {
    assert.equal(parseSyslog(dockerSyslogMessage('   ', { format: 'rfc5424', tag: 'a' })).content.toString(), '   ');
    const bytes = Buffer.from([0xff, 0xfe, 0x41, 0x00, 0x42]);
    const out = parseSyslog(dockerSyslogMessage(bytes, { format: 'rfc3164', tag: 'a' }));
    assert.deepEqual([...out.content], [...bytes]);
  });

  test('srslog\'s DefaultFormatter ("<PRI> RFC3339 host tag[pid]: msg", a space after the PRI)', () => {
    const out = parseSyslog(Buffer.from('<30> 2026-11-04T09:08:07Z host7 app[12]: hello world\n'));
    assert.deepEqual([out.timestamp, out.hostname, out.tag, out.pid, text(out.content)], ['2026-11-04T09:08:07Z', 'host7', 'app', '12', 'hello world']);
  });
});

describe('RFC examples and other senders', () => {
  test('RFC 3164 5.4 example', () => {
    const out = parseSyslog(Buffer.from("<34>Oct 11 22:14:15 mymachine su: 'su root' failed for lonvick on /dev/pts/8"));
    assert.deepEqual([out.facility, out.severity, out.timestamp, out.hostname, out.tag, out.pid], [4, 2, 'Oct 11 22:14:15', 'mymachine', 'su', undefined]);
    assert.equal(text(out.content), "'su root' failed for lonvick on /dev/pts/8");
  });

  test('RFC 5424 6.5 examples: nil fields, BOM, structured data with escapes, SD without MSG', () => {
    const one = parseSyslog(Buffer.from('<34>1 2003-10-11T22:14:15.003Z mymachine.example.com su - ID47 - \xef\xbb\xbf\'su root\' failed for lonvick on /dev/pts/8', 'latin1'));
    assert.deepEqual([one.facility, one.severity, one.timestamp, one.hostname, one.tag, one.pid, one.structuredData], [4, 2, '2003-10-11T22:14:15.003Z', 'mymachine.example.com', 'su', undefined, undefined]);
    assert.equal(text(one.content), "'su root' failed for lonvick on /dev/pts/8");
    const sd = '[exampleSDID@32473 iut="3" eventSource="Application" eventID="1011"][examplePriority@32473 class="high" note="a \\] b \\" c"]';
    const three = parseSyslog(Buffer.from(`<165>1 2003-10-11T22:14:15.003Z mymachine.example.com evntslog - ID47 ${sd} An application event log entry...`));
    assert.equal(three.structuredData, sd);
    assert.equal(three.tag, 'evntslog');
    assert.equal(text(three.content), 'An application event log entry...');
    const four = parseSyslog(Buffer.from(`<165>1 2003-10-11T22:14:15.003Z mymachine.example.com evntslog - ID47 ${sd}`));
    assert.equal(four.structuredData, sd);
    assert.equal(four.content.length, 0);
  });

  test('RFC 5424 with an empty HOSTNAME (srslog when the host has no name): fields still line up', () => {
    const out = parseSyslog(Buffer.from('<30>1 2026-11-04T09:08:07Z  3f2a9c1d7e4b 1234 3f2a9c1d7e4b - line\n'));
    assert.deepEqual([out.hostname, out.tag, out.pid, text(out.content)], [undefined, '3f2a9c1d7e4b', '1234', 'line']);
  });

  test('no header, a bad PRI, a PRI alone, a header without a tag: everything after the PRI is content', () => {
    const none = parseSyslog(Buffer.from('just a line\n'));
    assert.deepEqual([none.format, none.severity, none.facility, none.tag, text(none.content)], ['none', 5, 1, undefined, 'just a line']);
    assert.equal(text(parseSyslog(Buffer.from('<192>too high')).content), '<192>too high');
    assert.equal(text(parseSyslog(Buffer.from('<>x')).content), '<>x');
    assert.equal(parseSyslog(Buffer.from('<13>')).content.length, 0);
    const noTag = parseSyslog(Buffer.from('<13>Jan  2 03:04:05 host some words without a tag'));
    assert.deepEqual([noTag.timestamp, noTag.hostname, noTag.tag, text(noTag.content)], ['Jan  2 03:04:05', undefined, undefined, 'host some words without a tag']);
    const noStamp = parseSyslog(Buffer.from('<14>myapp: hello'));
    assert.deepEqual([noStamp.tag, text(noStamp.content)], ['myapp', 'hello']);
  });

  test('never throws; the content is always the end of the input (nothing before it is lost unless it is header)', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 200 }), fc.constantFrom('', '<13>', '<30>1 ', '<30>Jan  2 03:04:05 ', '<30>1 2026-01-01T00:00:00Z h t p m '), (bytes, prefix) => {
        const input = Buffer.concat([Buffer.from(prefix, 'latin1'), bytes]);
        const out = parseSyslog(input);
        const end = input.length > 0 && input[input.length - 1] === 0x0a ? input.length - 1 : input.length;
        assert.ok(out.severity >= 0 && out.severity <= 7);
        assert.equal(out.content.buffer, input.buffer, 'a view, not a copy');
        assert.equal(out.content.byteOffset + out.content.length - input.byteOffset, end);
      }),
      { numRuns: 2000 },
    );
  });

  test('property: every Docker format gives back the tag, the severity and the exact line', () => {
    const tag = fc.stringMatching(/^[a-z0-9][a-z0-9_.-]{0,30}$/);
    const line = fc.uint8Array({ maxLength: 300 }).map((b) => Buffer.from(b.filter((c) => c !== 0x0a)));
    fc.assert(
      fc.property(fc.constantFrom(...FORMATS), tag, line, fc.constantFrom('stdout', 'stderr') as fc.Arbitrary<'stdout' | 'stderr'>, (format, t, l, stream) => {
        const out = parseSyslog(dockerSyslogMessage(l, { format, tag: t, stream }));
        assert.equal(out.tag, t);
        assert.equal(out.severity, stream === 'stderr' ? 3 : 6);
        assert.deepEqual([...out.content], [...l]);
      }),
      { numRuns: 2000 },
    );
  });
});

describe('timestamps', () => {
  test('preciseUtcTimestamp: an RFC 3339 time with a fraction, in UTC, every digit kept (Go RFC3339Nano)', () => {
    assert.equal(preciseUtcTimestamp('2026-11-04T09:08:07.654123Z'), '2026-11-04T09:08:07.654123Z');
    assert.equal(preciseUtcTimestamp('2026-11-04T11:08:07.654120+02:00'), '2026-11-04T09:08:07.65412Z');
    assert.equal(preciseUtcTimestamp('2026-11-04T00:30:00.000000-01:00'), '2026-11-04T01:30:00Z');
    assert.equal(preciseUtcTimestamp('2026-11-04T09:08:07Z'), undefined, 'no fraction: the arrival time is as precise');
    assert.equal(preciseUtcTimestamp('Nov  4 09:08:07'), undefined);
    assert.equal(preciseUtcTimestamp('2026-13-45T09:08:07.1Z'), undefined);
    assert.equal(preciseUtcTimestamp(undefined), undefined);
  });

  test('rfc3339NanoUtc: milliseconds with trailing zeros trimmed, as Go prints them', () => {
    const t = Date.parse('2026-11-04T09:08:07Z');
    assert.equal(rfc3339NanoUtc(t), '2026-11-04T09:08:07Z');
    assert.equal(rfc3339NanoUtc(t + 120), '2026-11-04T09:08:07.12Z');
    assert.equal(rfc3339NanoUtc(t + 5), '2026-11-04T09:08:07.005Z');
  });
});
