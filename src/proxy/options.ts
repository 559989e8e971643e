// The `proxy` config section: where `journal-fanout proxy` listens, where it writes, and its per-container limit.
import { z } from 'zod';
import { duration } from '../config/duration.ts';
import { rateLimitOptionsSchema } from '../ratelimit/options.ts';
import { parseListenAddress } from './listen-address.ts';

/** The ECS agent's container labels the forwarder reads (src/normalize/source.ts), plus the container name. */
export const ECS_LABELS = [
  'com.amazonaws.ecs.cluster',
  'com.amazonaws.ecs.task-definition-family',
  'com.amazonaws.ecs.task-definition-version',
  'com.amazonaws.ecs.task-arn',
  'com.amazonaws.ecs.container-name',
];

const listenAddress = z.string().superRefine((value, ctx) => {
  try {
    parseListenAddress(value);
  } catch (error) {
    ctx.addIssue({ code: 'custom', message: (error as Error).message });
  }
});

export const proxyTlsSchema = z.strictObject({
  cert: z.string().min(1).describe('PEM certificate (chain) file the tcp+tls:// listeners present'),
  key: z.string().min(1).describe('PEM private key file of `cert`'),
  ca: z.string().min(1).nullable().default(null).describe('PEM CA file; when set, clients must present a certificate it signed (Docker: `syslog-tls-cert` and `syslog-tls-key`)'),
});

const proxyRateLimitSchema = rateLimitOptionsSchema.extend({
  interval: duration({ min: 1 }).default(60_000).describe('Length of a rate-limit window, per container, measured on the time messages arrive'),
});

export const proxyOptionsSchema = z
  .strictObject({
    listen: z
      .array(listenAddress)
      .min(1, 'list at least one address, e.g. ["unixgram:///run/journal-fanout/syslog.sock"]')
      .describe('Addresses to receive syslog on, in Docker\'s `syslog-address` form: `unixgram:///PATH` (Docker\'s usual choice), `unix:///PATH`, `udp://HOST:PORT`, `tcp://HOST:PORT`, `tcp+tls://HOST:PORT`'),
    socket_mode: z
      .string()
      .regex(/^0?[0-7]{3}$/, 'expected an octal file mode such as "0660"')
      .default('0660')
      .describe('File mode of the unix socket files the proxy creates; dockerd runs as root, so the default lets root and the proxy\'s group send'),
    tls: proxyTlsSchema.nullable().default(null).describe('Certificate for `tcp+tls://` listeners (required when there is one)'),
    journal_socket: z.string().min(1).default('/run/systemd/journal/socket').describe('journald\'s native protocol socket (`/run/systemd/journal.NAMESPACE/socket` for a namespace)'),
    docker_socket: z
      .string()
      .min(1)
      .nullable()
      .default('/var/run/docker.sock')
      .describe('Docker Engine API socket, for container names, images and labels (GET /containers/{id}/json); null: write what the syslog tag says only'),
    docker_timeout: duration({ min: 10, max: 60_000 }).default(2000).describe('How long one Docker API lookup may take; a container\'s first lines wait for it, then go on with what is known'),
    labels: z
      .array(z.string().min(1))
      .default(ECS_LABELS)
      .describe('Container labels always written as journal fields (name upper-cased, punctuation to "_"), besides those a container\'s own `labels`, `labels-regex`, `env` and `env-regex` log options name, as Docker\'s journald driver does'),
    max_message_bytes: z
      .number()
      .int()
      .min(1024)
      .max(64 * 1024 * 1024)
      .default(1024 * 1024)
      .describe('Longest message written as one journal entry; a longer one (stream listeners) is written in parts marked CONTAINER_PARTIAL_MESSAGE=true, which the forwarder joins back'),
    buffer_bytes: z
      .number()
      .int()
      .min(65_536)
      .default(8 * 1024 * 1024)
      .describe('Most bytes waiting for journald; above it stream listeners stop reading (backpressure) and datagram listeners drop, with a notice in the container\'s stream and a count'),
    rate_limit: proxyRateLimitSchema.prefault({}).describe('Per-container limit, with the forwarder\'s options and notices; `service` in overrides is the container\'s service (ECS task family, else container name)'),
    shutdown_timeout: duration({ min: 0, max: 600_000 }).default(10_000).describe('On SIGTERM/SIGINT, how long to write what is in hand before exiting'),
    metrics_listen: z
      .string()
      .regex(/^[^:]*:\d{1,5}$/, 'expected HOST:PORT such as "127.0.0.1:9881"')
      .nullable()
      .default('127.0.0.1:9881')
      .describe('Address of the proxy\'s /metrics and /healthz (not `metrics.listen`: the forwarder may run on the same host); null turns them off'),
  })
  .superRefine((proxy, ctx) => {
    if (proxy.tls === null && proxy.listen.some((l) => l.startsWith('tcp+tls://'))) {
      ctx.addIssue({ code: 'custom', path: ['tls'], message: 'required by the tcp+tls:// listener: give tls.cert and tls.key (PEM files)' });
    }
    const seen = new Set<string>();
    proxy.listen.forEach((l, i) => {
      if (seen.has(l)) ctx.addIssue({ code: 'custom', path: ['listen', i], message: `${l} is listed twice` });
      seen.add(l);
    });
  });

export type ProxyOptions = z.infer<typeof proxyOptionsSchema>;
