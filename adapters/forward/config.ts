// Options of the Fluent forward destination: the zod schema is the single source of the docs and defaults.
import { z } from 'zod';
import type { DestinationDescriptor } from '../../src/pipeline/destination.ts';
import { destinationBaseShape, sendOptions } from '../../src/config/destination-base.ts';
import { duration } from '../../src/config/duration.ts';

/** in_forward's default port (Fluentd, Fluent Bit and Vector's `fluent` source docs). */
export const FORWARD_DEFAULT_PORT = 24224;
/** Fluentd out_forward's `<server> weight` default: a server with 60 gets three times the batches of one with 20. */
export const FORWARD_DEFAULT_WEIGHT = 60;
/**
 * Fluent Bit in_forward refuses a message over its `buffer_max_size`, 6,144,000 bytes by default (plugins/in_forward
 * fw_conn.h, FLB_IN_FW_CHUNK_MAX_SIZE); Fluentd's in_forward sets no limit by default. The default batch (1 MiB, Fluent
 * Bit's `buffer_chunk_size` step) stays far under it; the largest allowed is Fluentd's default memory chunk_limit_size.
 */
export const FLUENT_BIT_MAX_MESSAGE_BYTES = 6_144_000;
export const FORWARD_DEFAULT_BATCH_BYTES = 1_048_576;
export const FORWARD_MAX_BATCH_BYTES = 8 * 1024 * 1024;
export const FORWARD_MIN_BATCH_BYTES = 65_536;
export const FORWARD_DEFAULT_BATCH_EVENTS = 20_000;
/**
 * The pipeline abandons a request after 30 s (DestinationRunner's request timeout), so connecting and waiting for an
 * ack are bounded below it: a server that does not answer is marked down by this adapter, not only abandoned.
 */
const MAX_WAIT_MS = 25_000;

/** Host names and addresses: no scheme, no port, no spaces (a URL here is the usual mistake). */
const HOST = /^[A-Za-z0-9._:-]+$/;

const serverSchema = z.strictObject({
  host: z
    .string()
    .min(1)
    .regex(HOST, 'expected a host name or IP address, without a scheme or port (e.g. "aggregator-1.internal" or "10.0.3.7")')
    .describe('Host name or IP address of the aggregator (Fluentd, Fluent Bit or Vector listening with in_forward / the fluent source)'),
  port: z.number().int().min(1).max(65_535).default(FORWARD_DEFAULT_PORT).describe('TCP port of its forward input'),
  weight: z
    .number()
    .int()
    .min(1)
    .max(1000)
    .default(FORWARD_DEFAULT_WEIGHT)
    .describe('Share of the batches this server gets among the live servers, as Fluentd\'s out_forward weight: 60 and 20 send three batches to the first for each one to the second'),
  standby: z
    .boolean()
    .default(false)
    .describe('A standby server gets batches only while a regular server is down (Fluentd\'s standby), in list order until the lost weight is covered'),
});
export type ForwardServerOptions = z.infer<typeof serverSchema>;

const tlsSchema = z.strictObject({
  enabled: z.boolean().default(false).describe('Connect with TLS (in_forward\'s `transport tls`, Fluent Bit\'s `tls on`, Vector\'s `tls.enabled`)'),
  verify: z
    .boolean()
    .default(true)
    .describe('Check the server\'s certificate against the CA and its name against the host (or server_name). Turn off only to test; a failed check stops this destination'),
  ca: z.string().min(1).optional().describe('PEM file of the CA that signed the servers\' certificates. Default: the system\'s trusted CAs'),
  cert: z.string().min(1).optional().describe('PEM file of a client certificate, for servers that require one (mutual TLS); needs `key`'),
  key: z.string().min(1).optional().describe('PEM file of the client certificate\'s private key; needs `cert`'),
  server_name: z
    .string()
    .min(1)
    .optional()
    .describe('Name to send (SNI) and to check the certificates against, when it is not each server\'s host (e.g. servers given by IP address)'),
});

export const forwardOptionsSchema = z
  .strictObject({
    type: z.literal('forward'),
    ...destinationBaseShape,
    servers: z
      .array(serverSchema)
      .min(1, 'list at least one server, e.g. servers: [{ host: aggregator-1.internal }]')
      .max(64)
      .describe('The aggregators. Batches are spread over the live ones by weight; a server that fails is skipped until it answers again, and its batches go to the others'),
    tag: z
      .string()
      .min(1)
      .default('journal.{service}')
      .describe('Template of the Fluent tag, e.g. "ecs.{service}". Records are batched per tag. Characters other than letters, digits, ".", "-" and "_" become "_"'),
    compressed: z
      .enum(['none', 'gzip'])
      .default('none')
      .describe('gzip: send CompressedPackedForward (the entries gzipped, option compressed: gzip); none: PackedForward. Batch limits count uncompressed bytes'),
    require_ack: z
      .boolean()
      .default(true)
      .describe('Send each batch with a `chunk` id and count it delivered only when the server answers with its `ack` (at-least-once). With false, a batch counts as delivered once written to the socket: a batch in flight when a server dies is lost'),
    ack_timeout: duration({ min: 100, max: MAX_WAIT_MS })
      .default(15_000)
      .describe('Longest wait from the start of sending a batch to its ack; a server that does not answer in time is marked down and the batch goes to another server'),
    connect_timeout: duration({ min: 100, max: MAX_WAIT_MS })
      .default(5000)
      .describe('Longest wait to connect to a server, TLS and the shared-key handshake included'),
    recover_interval: duration({ min: 100, max: 300_000 })
      .default(5000)
      .describe('How often a server marked down is tried again (a connection with the handshake); when it answers it gets batches again'),
    keepalive_timeout: duration({ min: 1000, max: 3_600_000 })
      .default(30_000)
      .describe('An idle connection is closed after this long; connections are reused for the next batches until then (TCP keep-alive probes run on them)'),
    shared_key: z
      .string()
      .min(1)
      .optional()
      .describe('Shared key of the servers\' security section: the handshake (HELO, PING, PONG) runs on every connection and both sides prove they hold the key. Secret: give it as "${FORWARD_SHARED_KEY}"; it never leaves the host, not even in the handshake'),
    self_hostname: z
      .string()
      .min(1)
      .optional()
      .describe('Host name sent in the handshake\'s PING (Fluentd logs it). Default: this host\'s name'),
    username: z.string().min(1).optional().describe('User name, for servers with user authentication (Fluentd\'s `<user>`, Fluent Bit\'s security.users); needs shared_key and password'),
    password: z
      .string()
      .min(1)
      .optional()
      .describe('Password of `username`; only its salted SHA-512 digest is sent. Secret: give it as "${FORWARD_PASSWORD}"'),
    tls: tlsSchema.prefault({}).describe('TLS to the servers'),
    flush_interval: sendOptions.flushInterval(),
    concurrency: sendOptions.concurrency(4, 'Batches in flight at once across all tags and servers, one connection each (one at a time per tag)'),
    max_batch_bytes: z
      .number()
      .int()
      .min(FORWARD_MIN_BATCH_BYTES)
      .max(FORWARD_MAX_BATCH_BYTES)
      .default(FORWARD_DEFAULT_BATCH_BYTES)
      .describe(`Most msgpack bytes of entries in one message, before compression. Fluent Bit receivers refuse messages over their buffer_max_size (${FLUENT_BIT_MAX_MESSAGE_BYTES} by default): raise it there before going over`),
    max_batch_events: z.number().int().min(1).max(1_000_000).default(FORWARD_DEFAULT_BATCH_EVENTS).describe('Most entries in one message'),
    oversize: sendOptions.oversize(
      'What to do with a record whose entry is over max_batch_bytes: split its message into several entries, each marked "[journal-fanout part i/n]", or keep the start and mark it "[journal-fanout truncated N bytes]"',
    ),
    healthcheck: sendOptions.healthcheck(
      'At start-up, connect to every server (TLS and handshake included) and say which answer; stop with a clear error when every server refuses the shared key, the credentials or the TLS check',
    ),
  })
  .superRefine((o, ctx) => {
    const seen = new Set<string>();
    o.servers.forEach((s, i) => {
      const id = `${s.host.toLowerCase()}:${s.port}`;
      if (seen.has(id)) ctx.addIssue({ code: 'custom', path: ['servers', i], message: `server ${s.host}:${s.port} is listed twice; list each server once and use weight to send it more` });
      seen.add(id);
    });
    if (o.servers.every((s) => s.standby)) {
      ctx.addIssue({ code: 'custom', path: ['servers'], message: 'every server is a standby; at least one must be a regular server (standby: false)' });
    }
    if ((o.username === undefined) !== (o.password === undefined)) {
      ctx.addIssue({ code: 'custom', path: [o.username === undefined ? 'username' : 'password'], message: 'username and password go together; give both or neither' });
    }
    if (o.username !== undefined && o.shared_key === undefined) {
      ctx.addIssue({ code: 'custom', path: ['shared_key'], message: 'username and password are checked in the shared-key handshake; set shared_key as well (the servers\' security section has one)' });
    }
    if ((o.tls.cert === undefined) !== (o.tls.key === undefined)) {
      ctx.addIssue({ code: 'custom', path: ['tls', o.tls.cert === undefined ? 'cert' : 'key'], message: 'tls.cert and tls.key go together; give both or neither' });
    }
    const tlsFiles = o.tls.ca !== undefined || o.tls.cert !== undefined || o.tls.server_name !== undefined;
    if (tlsFiles && !o.tls.enabled) {
      ctx.addIssue({ code: 'custom', path: ['tls', 'enabled'], message: 'TLS options are set but tls.enabled is false; set tls.enabled: true' });
    }
  });
export type ForwardOptions = z.infer<typeof forwardOptionsSchema>;

export const forwardDescriptor: DestinationDescriptor<ForwardOptions> = {
  type: 'forward',
  schema: forwardOptionsSchema,
  secretKeys: ['shared_key', 'password'],
};
