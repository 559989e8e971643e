// Options of the syslog destination: the zod schema is the single source of the docs and defaults.
import { z } from 'zod';
import type { DestinationDescriptor } from '../../src/pipeline/destination.ts';
import { destinationBaseShape, sendOptions } from '../../src/config/destination-base.ts';
import { duration } from '../../src/config/duration.ts';

export type Transport = 'udp' | 'tcp' | 'tls';

/** Default ports: 514 for syslog over UDP (RFC 5426) and plain TCP (by custom), 6514 for TLS (RFC 5425 section 4.1). */
export const DEFAULT_PORTS: Readonly<Record<Transport, number>> = { udp: 514, tcp: 514, tls: 6514 };

/**
 * Default message sizes. RFC 3164 section 4.1: "The total length of the packet MUST be 1024 bytes or less".
 * RFC 5426 section 3.2: UDP receivers SHOULD accept 2048 octets. RFC 5425 section 4.3.1: TLS receivers SHOULD
 * accept 8192 octets, and 8 KiB is also rsyslog's default maxMessageSize, so larger messages would be cut by
 * the receiver instead of split by us.
 */
export const DEFAULT_MAX_MESSAGE_BYTES = { udp3164: 1024, udp5424: 2048, stream: 8192 } as const;
/**
 * How long a connection must stand after a batch's TCP acknowledgement: how far a restarting server may lag behind
 * what its kernel acknowledged. Measured here (test/adapters/syslog/restart.test.ts, syslog-ng 3.38 restarted four
 * times under 10,000 records/s on a 2-core host at load 7-10): 0 ms lost 91 to 4,862 acknowledged records in 5 runs
 * of 6; 100, 250 and 500 ms lost none in 6 runs each; with two more busy loops on the cores, 100 ms lost records in
 * 2 runs of 8. Each batch holds its records in the buffer this much longer, which bounds a destination's rate to
 * about pipeline.buffer_records per settle_time.
 */
export const DEFAULT_SETTLE_MS = 250;
/** RFC 5424 section 6.1: every receiver MUST accept 480 octets. */
export const MIN_MESSAGE_BYTES = 480;
export const MAX_MESSAGE_BYTES = 1_048_576;
/** Largest UDP payload over IPv4: 65,535 - 20 (IP header) - 8 (UDP header). */
export const MAX_UDP_PAYLOAD_BYTES = 65_507;

/** Facility names (RFC 5424 section 6.2.1, table 1; the names syslog.h and syslog-ng use), index = code. */
export const FACILITIES = [
  'kern', 'user', 'mail', 'daemon', 'auth', 'syslog', 'lpr', 'news', 'uucp', 'cron', 'authpriv', 'ftp', 'ntp', 'audit', 'alert', 'clock',
  'local0', 'local1', 'local2', 'local3', 'local4', 'local5', 'local6', 'local7',
] as const;

export interface SyslogEndpoint {
  transport: Transport;
  host: string;
  port: number;
}

/** `udp://host:port`, `tcp://host:port` or `tls://host:port` (IPv6 in brackets); the port defaults per transport. */
export function parseSyslogUrl(text: string): SyslogEndpoint | string {
  const scheme = /^(udp|tcp|tls):\/\//.exec(text);
  if (!scheme) return 'expected udp://HOST:PORT, tcp://HOST:PORT or tls://HOST:PORT';
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    return 'expected udp://HOST:PORT, tcp://HOST:PORT or tls://HOST:PORT (not a valid URL)';
  }
  if (url.username || url.password || (url.pathname !== '' && url.pathname !== '/') || url.search || url.hash) {
    return 'expected only a host and a port, without user, path, query or fragment';
  }
  const host = url.hostname.replace(/^\[(.*)\]$/, '$1');
  if (host === '') return 'the host is missing';
  const transport = scheme[1] as Transport;
  const port = url.port === '' ? DEFAULT_PORTS[transport] : Number(url.port);
  if (!Number.isInteger(port) || port < 1 || port > 65_535) return 'the port must be 1 to 65535';
  return { transport, host, port };
}

const tlsSchema = z.strictObject({
  ca: z
    .string()
    .min(1)
    .optional()
    .describe('PEM file of the CA certificate(s) that signed the server\'s certificate. Default: Node.js\'s bundled CAs and the system store (/etc/ssl/certs)'),
  cert: z.string().min(1).optional().describe('PEM file of a client certificate, for servers that require one (give key too)'),
  key: z.string().min(1).optional().describe('PEM file of the client certificate\'s private key'),
  verify: z
    .boolean()
    .default(true)
    .describe('Verify the server\'s certificate and name. false accepts any server, including an attacker in the path: journal-fanout then warns at every start'),
  server_name: z
    .string()
    .min(1)
    .optional()
    .describe('Name the server\'s certificate must hold (and sent as SNI). Default: the host of url'),
});

export const syslogOptionsSchema = z
  .strictObject({
    type: z.literal('syslog'),
    ...destinationBaseShape,
    url: z
      .string()
      .superRefine((text, ctx) => {
        const parsed = parseSyslogUrl(text);
        if (typeof parsed === 'string') ctx.addIssue({ code: 'custom', message: `${parsed}, got ${JSON.stringify(text)}` });
      })
      .describe('Where the syslog server listens: udp://HOST:PORT (lossy), tcp://HOST:PORT or tls://HOST:PORT. Default ports: 514 for udp and tcp, 6514 for tls'),
    format: z
      .enum(['rfc5424', 'rfc3164'])
      .default('rfc5424')
      .describe('rfc5424: "<PRI>1 TIMESTAMP HOSTNAME APP-NAME PROCID MSGID [SD] MSG", with milliseconds and UTC; rfc3164: the older BSD form "<PRI>Mmm dd hh:mm:ss HOSTNAME TAG[PID]: MSG", with the time in UTC'),
    framing: z
      .enum(['octet-counting', 'newline'])
      .optional()
      .describe('tcp:// and tls:// only. octet-counting (RFC 6587 section 3.4.1: "LENGTH MESSAGE", what RFC 5425 requires; default) or newline (each message ends with a line feed; line feeds and NUL inside text messages are written as #012 and #000)'),
    facility: z
      .union([z.enum(FACILITIES), z.number().int().min(0).max(23)])
      .default('user')
      .describe(`Syslog facility of every message: a name (${FACILITIES.join(', ')}) or its code, 0 to 23. The severity comes from each record's level`),
    app_name: z
      .string()
      .min(1)
      .default('{service}')
      .describe('Template of APP-NAME (rfc5424, at most 48 printable ASCII characters) or of the TAG (rfc3164, at most 32 of letters, digits, ".", "_", "-" and "/"); other characters become "_", longer values are cut'),
    hostname: z
      .string()
      .min(1)
      .default('{host}')
      .describe('Template of HOSTNAME: at most 255 letters, digits, ".", "-" and "_" (syslog-ng refuses some other characters RFC 5424 allows); other characters become "_"'),
    procid: z
      .string()
      .min(1)
      .default('{stream}')
      .describe('Template of PROCID (rfc5424) or the [PID] after the TAG (rfc3164): at most 128 characters. Default: the record\'s stream (the container)'),
    msgid: z
      .string()
      .min(1)
      .default('-')
      .describe('rfc5424 only: template of MSGID, at most 32 printable ASCII characters. Default: "-" (none)'),
    structured_data: z
      .string()
      .min(1)
      .optional()
      .describe('rfc5424 only: STRUCTURED-DATA, written as RFC 5424 elements whose values may be templates, e.g. \'[TOKEN@41058 tag="{service}"]\' for Loggly. Checked at start-up; each rendered value is escaped and cut at 256 bytes. May hold a secret (Loggly\'s token): give it as "${...}"; it is never logged'),
    message: z
      .enum(['json', 'text'])
      .default('json')
      .describe('json: MSG is the record as one JSON line (the ecs-logs shape every JSON destination sends: level, time, message, info, data); text: the message text alone'),
    max_message_bytes: z
      .number()
      .int()
      .min(MIN_MESSAGE_BYTES)
      .max(MAX_MESSAGE_BYTES)
      .optional()
      .describe(`Most bytes in one syslog message (header included, framing not). Default: ${DEFAULT_MAX_MESSAGE_BYTES.udp3164} over udp with rfc3164, ${DEFAULT_MAX_MESSAGE_BYTES.udp5424} over udp with rfc5424, ${DEFAULT_MAX_MESSAGE_BYTES.stream} over tcp and tls; at most ${MAX_UDP_PAYLOAD_BYTES} over udp`),
    oversize: sendOptions.oversize(
      'What to do with a message over max_message_bytes: split it into several messages, each marked "[journal-fanout part i/n]", or keep the start and mark it "[journal-fanout truncated N bytes]"',
    ),
    tls: tlsSchema.optional().describe('tls:// only: certificates and verification'),
    connect_timeout: duration({ min: 100, max: 300_000 })
      .default(10_000)
      .describe('Longest wait for a TCP connection (and its TLS handshake); a slower one fails and is retried with backoff'),
    settle_time: duration({ min: 0, max: 10_000 })
      .default(DEFAULT_SETTLE_MS)
      .describe('tcp and tls: a batch counts as delivered once the server\'s TCP stack acknowledged it and the connection then stayed up this long. A restarting server stops reading a moment before it closes its connections, and drops what reached it then; batches acknowledged within settle_time of a close are sent again (a duplicate is possible; a loss only if the server lags further behind). 0: delivered at the acknowledgement'),
    flush_interval: sendOptions.flushInterval(),
    concurrency: sendOptions.concurrency(
      16,
      'Batches awaiting the server\'s acknowledgement at once. Streams are batched in this many groups, a stream always in the same group, one batch at a time per group (so a stream stays in order); all share one connection',
    ),
    request_timeout: sendOptions
      .requestTimeout()
      .describe('Longest wait for one batch to be written and acknowledged (settle_time included); a slower batch is abandoned, its connection closed, and retried'),
    healthcheck: sendOptions.healthcheck(
      'At start-up, connect (tcp, tls: with the TLS handshake and certificate check) and say clearly what is wrong if that fails',
    ),
  })
  .superRefine((o, ctx) => {
    const endpoint = parseSyslogUrl(o.url);
    if (typeof endpoint === 'string') return;
    const where = (path: string, message: string) => ctx.addIssue({ code: 'custom', path: [path], message });
    if (endpoint.transport === 'udp' && o.framing !== undefined) where('framing', 'framing applies to tcp:// and tls:// only (each UDP datagram is one message); remove it');
    if (endpoint.transport !== 'tls' && o.tls !== undefined) where('tls', `tls options need a tls:// url (url is ${endpoint.transport}://)`);
    if (o.tls && (o.tls.cert === undefined) !== (o.tls.key === undefined)) where('tls', 'give both cert and key (a client certificate needs its private key), or neither');
    if (o.format === 'rfc3164') {
      if (o.structured_data !== undefined) where('structured_data', 'structured data exists in rfc5424 only; remove it or set format: rfc5424');
      if (o.msgid !== '-') where('msgid', 'MSGID exists in rfc5424 only; remove it or set format: rfc5424');
    }
    if (o.settle_time >= o.request_timeout) where('settle_time', `must be shorter than request_timeout (${o.request_timeout} ms), or every batch would time out`);
    if (endpoint.transport === 'udp' && o.max_message_bytes !== undefined && o.max_message_bytes > MAX_UDP_PAYLOAD_BYTES) {
      where('max_message_bytes', `expected at most ${MAX_UDP_PAYLOAD_BYTES} over udp (the largest UDP payload)`);
    }
  });
export type SyslogOptions = z.infer<typeof syslogOptionsSchema>;

/** The message size limit in effect: the option, else the default for the transport and format. */
export function maxMessageBytes(o: Pick<SyslogOptions, 'max_message_bytes' | 'format'>, transport: Transport): number {
  if (o.max_message_bytes !== undefined) return o.max_message_bytes;
  if (transport !== 'udp') return DEFAULT_MAX_MESSAGE_BYTES.stream;
  return o.format === 'rfc3164' ? DEFAULT_MAX_MESSAGE_BYTES.udp3164 : DEFAULT_MAX_MESSAGE_BYTES.udp5424;
}

// structured_data may carry Loggly's customer token.
export const syslogDescriptor: DestinationDescriptor<SyslogOptions> = { type: 'syslog', schema: syslogOptionsSchema, secretKeys: ['structured_data'] };
