// The syslog destination against a real syslog-ng (Debian's syslog-ng-core): every record arrives once with the
// APP-NAME, PROCID, severity, facility and structured data syslog-ng parsed; TLS verification; field limits and
// escaping read back by syslog-ng itself.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import syslog from '../../../adapters/syslog/index.ts';
import { DestinationError } from '../../../src/model/errors.ts';
import type { LogRecord } from '../../../src/model/log-record.ts';
import type { Destination } from '../../../src/pipeline/destination.ts';
import { runDestination } from '../../helpers/run-destination.ts';
import { SyslogNg, type ReceivedMessage } from '../../helpers/syslog-ng.ts';
import { capturedLogger, sampleRecord } from '../../standins/sample-records.ts';
import { arbitraryRecord } from './arbitrary-records.ts';
import { parse3164, parse5424, unframe } from './rfc-check.ts';

let server: SyslogNg;
before(async () => {
  server = await SyslogNg.start();
});
after(async () => {
  await server.stop();
});

/** The destination; `captured` receives what it logs. */
function make(options: Record<string, unknown>, captured = capturedLogger()): Destination<string> {
  const parsed = syslog.schema.parse({ type: 'syslog', flush_interval: '20ms', settle_time: '20ms', ...options });
  return syslog.create(parsed, { id: 'syslog', host: 'h', logger: captured.logger }) as Destination<string>;
}

/** Sends the records through the real DestinationRunner and waits until syslog-ng wrote `expect` messages matching `mine`. */
async function ship(d: Destination<string>, records: LogRecord[], mine: (m: ReceivedMessage) => boolean, expect = records.length): Promise<ReceivedMessage[]> {
  await d.start();
  const { runner, done, fatal } = runDestination(d, records);
  try {
    assert.equal(await runner.flush(60_000), true, `flush: ${fatal() ?? ''}`);
    assert.equal(done.length, records.length, 'every record acknowledged');
  } finally {
    await runner.close();
  }
  return (await server.waitFor((ms) => ms.filter(mine).length >= expect, `${expect} messages`)).filter(mine);
}

/** Record i of a case: its own service name (the APP-NAME) so that cases sharing the server do not mix. */
function records(tag: string, n: number, message = (i: number) => `${tag} line ${i}`): LogRecord[] {
  return Array.from({ length: n }, (_, i) => {
    const r = sampleRecord(i, { message: message(i) });
    r.source = { ...r.source, service: `${tag}-svc${i % 4}` };
    return r;
  });
}

const SEVERITY_NAMES: Record<string, string> = { emerg: 'emerg', alert: 'alert', crit: 'crit', error: 'err', warning: 'warning', notice: 'notice', info: 'info', debug: 'debug' };

/** Each record arrived exactly once, with the fields syslog-ng parsed matching the record. */
function assertEachOnce(received: ReceivedMessage[], sent: LogRecord[], o: { text: (m: ReceivedMessage) => string; rfc3164?: boolean; sd?: boolean }) {
  const byText = new Map<string, ReceivedMessage[]>();
  for (const m of received) {
    const key = o.text(m);
    byText.set(key, [...(byText.get(key) ?? []), m]);
  }
  for (const r of sent) {
    const got = byText.get(r.message) ?? [];
    assert.equal(got.length, 1, `${r.message} arrived ${got.length} times`);
    const m = got[0]!;
    assert.equal(m.program, r.source.service, 'APP-NAME / TAG = the service');
    assert.equal(m.pid, r.source.stream, 'PROCID = the stream');
    assert.equal(m.severity, SEVERITY_NAMES[r.level], 'severity from the level');
    assert.equal(m.facility, 'local3');
    assert.equal(m.host, 'host-a');
    if (o.rfc3164) assert.equal(new Date(Number(m.stamp) * 1000).toISOString().slice(5, 19), new Date(r.time).toISOString().slice(5, 19), 'RFC 3164: month, day and time in UTC');
    else assert.equal(Number(m.stamp), r.time / 1000, 'RFC 5424: the record\'s time to the millisecond');
    if (o.sd) assert.deepEqual(m._SDATA, { 'meta@32473': { svc: r.source.service, name: r.source.container!.name } });
  }
  assert.equal(received.length, sent.length);
}

const SD = '[meta@32473 svc="{service}" name="{container.name}"]';
const textOf = (m: ReceivedMessage) => m.msg;
const jsonMessageOf = (m: ReceivedMessage) => (JSON.parse(m.msg) as { message: string }).message;

describe('every record arrives once, parsed as sent', () => {
  test('tcp, RFC 5424, octet counting, JSON messages with structured data', async () => {
    const sent = records('oc5424', 3000);
    const got = await ship(make({ url: `tcp://127.0.0.1:${server.ports.tcpOctet}`, facility: 'local3', structured_data: SD }), sent, (m) => m.program.startsWith('oc5424-'));
    assertEachOnce(got, sent, { text: jsonMessageOf, sd: true });
    const first = JSON.parse(got.find((m) => jsonMessageOf(m) === 'oc5424 line 0')!.msg) as Record<string, unknown>;
    assert.equal(first.level, 'EMERG');
    assert.deepEqual((first.data as { fields: unknown }).fields, { seq: 0, user: 'u0' });
  });

  test('tcp, RFC 5424, newline framing, text messages', async () => {
    const sent = records('nl5424', 2000);
    const got = await ship(make({ url: `tcp://127.0.0.1:${server.ports.tcpNewline5424}`, framing: 'newline', message: 'text', facility: 'local3', structured_data: SD }), sent, (m) => m.program.startsWith('nl5424-'));
    assertEachOnce(got, sent, { text: textOf, sd: true });
  });

  test('tcp, RFC 3164, newline framing and octet counting', async () => {
    const sent = records('nl3164', 1000);
    const got = await ship(make({ url: `tcp://127.0.0.1:${server.ports.tcpNewline3164}`, framing: 'newline', format: 'rfc3164', message: 'text', facility: 'local3' }), sent, (m) => m.program.startsWith('nl3164-'));
    assertEachOnce(got, sent, { text: textOf, rfc3164: true });
    const sent2 = records('oc3164', 1000);
    const got2 = await ship(make({ url: `tcp://127.0.0.1:${server.ports.tcpOctet}`, format: 'rfc3164', message: 'text', facility: 'local3' }), sent2, (m) => m.program.startsWith('oc3164-'));
    assertEachOnce(got2, sent2, { text: textOf, rfc3164: true });
  });

  test('udp, RFC 5424 and RFC 3164 (a few hundred: UDP may drop under bursts, so the count stays under the receive buffer)', async () => {
    const sent = records('udp5424', 300);
    const got = await ship(make({ url: `udp://127.0.0.1:${server.ports.udp5424}`, facility: 'local3', message: 'text', structured_data: SD }), sent, (m) => m.program.startsWith('udp5424-'));
    assertEachOnce(got, sent, { text: textOf, sd: true });
    const sent2 = records('udp3164', 300);
    const got2 = await ship(make({ url: `udp://127.0.0.1:${server.ports.udp3164}`, format: 'rfc3164', facility: 'local3', message: 'text' }), sent2, (m) => m.program.startsWith('udp3164-'));
    assertEachOnce(got2, sent2, { text: textOf, rfc3164: true });
  });

  test('multi-line text keeps its lines under octet counting; 50 KB messages are split at 8 KiB and rejoin in order', async () => {
    const big = (i: number) => `big${i} ` + 'x'.repeat(50_000) + ' end';
    const sent = records('split', 20, (i) => (i % 2 === 0 ? big(i) : `first line ${i}\n\tat second line`));
    const got = await ship(make({ url: `tcp://127.0.0.1:${server.ports.tcpOctet}`, facility: 'local3', message: 'text' }), sent, (m) => m.program.startsWith('split-'), 10 + 10 * 7);
    for (let i = 1; i < 20; i += 2) assert.equal(got.filter((m) => m.msg === `first line ${i}\n\tat second line`).length, 1);
    for (let i = 0; i < 20; i += 2) {
      const parts = got.filter((m) => m.program === sent[i]!.source.service && Number(m.stamp) === sent[i]!.time / 1000);
      assert.ok(parts.length >= 7, `record ${i}: ${parts.length} parts`);
      assert.equal(parts.map((m) => m.msg.replace(/ \[journal-fanout part \d+\/\d+\]$/, '')).join(''), big(i));
    }
  });
});

describe('TLS', () => {
  test('the server is verified against tls.ca; a client certificate opens the mutual-TLS listener', async () => {
    const sent = records('tls', 1000);
    const got = await ship(make({ url: `tls://127.0.0.1:${server.ports.tls}`, facility: 'local3', structured_data: SD, tls: { ca: server.pki.caFile } }), sent, (m) => m.program.startsWith('tls-'));
    assertEachOnce(got, sent, { text: jsonMessageOf, sd: true });
    assert.ok(got.every((m) => m.src === 's_tls_octet'));
    const sent2 = records('mtls', 200);
    const tls = { ca: server.pki.caFile, cert: server.pki.clientCert, key: server.pki.clientKey, server_name: 'localhost' };
    const got2 = await ship(make({ url: `tls://127.0.0.1:${server.ports.tlsMutual}`, facility: 'local3', message: 'text', tls }), sent2, (m) => m.program.startsWith('mtls-'));
    assertEachOnce(got2, sent2, { text: textOf });
  });

  test('a server certificate from another CA is refused at start-up with a clear, fatal error; nothing is sent', async () => {
    const d = make({ url: `tls://127.0.0.1:${server.ports.tls}`, app_name: 'wrongca', tls: { ca: server.pki.otherCaFile } });
    try {
      const error = await d.start().then(() => undefined, (e: unknown) => e);
      assert.ok(error instanceof DestinationError, String(error));
      assert.equal(error.fatal, true);
      assert.match(error.message, new RegExp(`^tls://127\\.0\\.0\\.1:${server.ports.tls}: the server's TLS certificate is refused \\(.*; UNABLE_TO_VERIFY_LEAF_SIGNATURE\\): no trusted CA signed it: set tls\\.ca`));
      assert.equal(d.classify(error).action, 'fatal');
      const sendError = await d.send('k', d.encode(sampleRecord(0)).map((e) => e.data), new AbortController().signal).then(() => undefined, (e: unknown) => e);
      assert.equal(d.classify(sendError).action, 'fatal');
    } finally {
      await d.close();
    }
    assert.equal(server.messages().filter((m) => m.program === 'wrongca').length, 0);
  });

  test('a certificate for another name is refused; the error says to use tls.server_name', async () => {
    const d = make({ url: `tls://127.0.0.1:${server.ports.tls}`, tls: { ca: server.pki.caFile, server_name: 'logs.example.com' } });
    try {
      const error = await d.start().then(() => undefined, (e: unknown) => e as DestinationError);
      assert.equal(error?.fatal, true);
      assert.match(error!.message, /ERR_TLS_CERT_ALTNAME_INVALID\): it does not hold the name we connected to/);
    } finally {
      await d.close();
    }
  });

  test('verify: false connects to an unknown server, and says loudly at start that it is unsafe', async () => {
    const captured = capturedLogger();
    const logs = captured.lines;
    const d = make({ url: `tls://127.0.0.1:${server.ports.tls}`, facility: 'local3', tls: { verify: false } }, captured);
    const sent = records('noverify', 10);
    await ship(d, sent, (m) => m.program.startsWith('noverify-'));
    const warning = logs.map((l) => JSON.parse(l) as { level: number; msg: string }).find((l) => l.msg.startsWith('TLS CERTIFICATE VERIFICATION IS OFF'));
    assert.ok(warning, logs.join('\n'));
    assert.equal(warning.level, 40);
  });

  test('the mutual-TLS listener without a client certificate: the destination stops, saying to check tls.cert and tls.key', async () => {
    const d = make({ url: `tls://127.0.0.1:${server.ports.tlsMutual}`, app_name: 'nocert', tls: { ca: server.pki.caFile } });
    const { runner, fatal } = runDestination(d, records('nocert', 5));
    try {
      await d.start().catch(() => {});
      await runner.flush(10_000);
      assert.match(fatal() ?? '', /tls\.cert and tls\.key/);
    } finally {
      await runner.close();
    }
  });
});

describe('start-up healthcheck', () => {
  test('nothing listening: a retryable error naming the URL and the likely cause', async () => {
    const d = make({ url: 'tcp://127.0.0.1:1' });
    const error = await d.start().then(() => undefined, (e: unknown) => e as DestinationError);
    assert.ok(error instanceof DestinationError);
    assert.equal(error.fatal, false);
    assert.match(error.message, /^tcp:\/\/127\.0\.0\.1:1: cannot connect: .*ECONNREFUSED.*is the syslog server running/);
    await d.close();
  });
});

describe('property: field limits and escaping, read back by syslog-ng', () => {
  const variants: Array<[string, Record<string, unknown>]> = [
    ['RFC 5424, octet counting', { url: 'tcpOctet', message: 'text', structured_data: '[x@32473 svc="{service}" name="{container.name}"]', msgid: '{fields.i}' }],
    ['RFC 5424, newline framing', { url: 'tcpNewline5424', framing: 'newline', message: 'text', structured_data: '[x@32473 svc="{service}" name="{container.name}"]', msgid: '{fields.i}' }],
    ['RFC 3164, newline framing', { url: 'tcpNewline3164', framing: 'newline', format: 'rfc3164', message: 'text' }],
  ];
  for (const [name, options] of variants) {
    test(name, async () => {
      const port = server.ports[options.url as keyof typeof server.ports];
      const d = make({ ...options, url: `tcp://127.0.0.1:${port}` });
      const framing = options.framing === 'newline' ? 'newline' : 'octet-counting';
      const tag = `p${port}`;
      // Each record is numbered in its message (and MSGID) so that what syslog-ng parsed is matched to what was sent.
      const seed = Date.now() % 2 ** 31;
      const sent = fc.sample(arbitraryRecord, { numRuns: 150, seed }).map((r, i) => ({ ...r, message: `${tag}:${i}|${r.message.slice(0, 500)}`, fields: { i } }));
      const expected = sent.map((r) => {
        const line = unframe(d.encode(r)[0]!.data, framing)[0]!;
        return options.format === 'rfc3164' ? { ...parse3164(line), sd: undefined, msgid: undefined } : (({ appName, procid, ...rest }) => ({ ...rest, tag: appName, pid: procid }))(parse5424(line));
      });
      const got = await ship(d, sent, (m) => m.msg.startsWith(`${tag}:`));
      const byIndex = new Map(got.map((m) => [Number(/^p\d+:(\d+)\|/.exec(m.msg)![1]), m]));
      // RFC 5424's NILVALUE "-" is an empty field to syslog-ng, and an empty HOSTNAME is the sender's address.
      const rfc3164 = options.format === 'rfc3164';
      const nil = (v: string | undefined) => (v === undefined || (v === '-' && !rfc3164) ? '' : v);
      expected.forEach((e, i) => {
        const m = byIndex.get(i);
        assert.ok(m, `record ${i} arrived (fast-check seed ${seed})`);
        assert.equal(m.program, nil(e.tag), `record ${i}: program (seed ${seed})`);
        assert.equal(m.pid, nil(e.pid), `record ${i}: pid (seed ${seed})`);
        assert.equal(m.host, e.hostname === '-' && !rfc3164 ? '127.0.0.1' : e.hostname, `record ${i}: host (seed ${seed})`);
        // syslog-ng drops the line feeds that end an octet-counted message, and the CR of a newline-framed CRLF line end.
        assert.equal(m.msg, framing === 'newline' ? (e.msg ?? '').replace(/\r$/, '') : (e.msg ?? '').replace(/\n+$/, ''), `record ${i}: message (seed ${seed})`);
        if (e.sd) {
          assert.equal(m.msgid, String(i));
          const params = Object.fromEntries(e.sd[0]!.params);
          assert.deepEqual(m._SDATA?.['x@32473'], params, `record ${i}: structured data (seed ${seed})`);
        }
      });
      assert.equal(got.length, sent.length);
    });
  }
});
