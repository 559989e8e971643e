// The whole configuration schema (DESIGN.md "Configuration"): the single source of truth for options and docs.
import { z } from 'zod';
import { destinationModules } from '../../adapters/index.ts';
import { recordsOptionsSchema } from '../normalize/options.ts';
import { proxyOptionsSchema } from '../proxy/options.ts';
import { rateLimitOptionsSchema } from '../ratelimit/options.ts';
import { duration } from './duration.ts';

export const journalOptionsSchema = z
  .strictObject({
    namespace: z
      .string()
      .regex(/^[A-Za-z0-9_.-]{1,64}$/, 'expected a journald namespace name (letters, digits, "_", "-", ".")')
      .nullable()
      .default(null)
      .describe('Read this journald namespace (journalctl --namespace) instead of the system journal'),
    directory: z.string().min(1).nullable().default(null).describe('Read the journal files in this directory (journalctl --directory) instead of the system journal'),
    matches: z
      .array(z.string().regex(/^(\+|(?!__)[A-Z0-9_]+=.*)$/s, 'expected a journalctl match FIELD=value (FIELD of A-Z, 0-9 and _, not starting with __) or "+"'))
      .default([])
      .describe('journalctl matches, e.g. ["_SYSTEMD_UNIT=docker.service"]; "+" between matches means OR'),
    start: z.enum(['tail', 'head']).default('tail').describe('Where a destination with no checkpoint starts: tail (new entries only) or head (the oldest entry)'),
    reader: z
      .enum(['auto', 'native', 'journalctl'])
      .default('auto')
      .describe('How the journal is read: native (libsystemd\'s sd_journal in a worker thread, no child process), journalctl (journalctl -o export, parsed), or auto: native when libsystemd.so.0 loads, else journalctl, said once in an info line'),
    journalctl: z.string().min(1).default('journalctl').describe('The journalctl binary the journalctl reader runs'),
  })
  .refine((j) => !(j.namespace && j.directory), { message: 'set either namespace or directory, not both', path: ['directory'] });

export const stateOptionsSchema = z.strictObject({
  directory: z.string().min(1).default('/var/lib/journal-fanout').describe('Where checkpoint files (one per destination) are kept'),
});

export const pipelineOptionsSchema = z.strictObject({
  buffer_records: z
    .number()
    .int()
    .min(100)
    .default(20_000)
    .describe('Most records all destinations together may hold in memory (one budget, shared: a destination alone may use all of it; when it is used up, those holding more than an even share make the reader wait, and are detached if they stay full)'),
  buffer_bytes: z
    .number()
    .int()
    .min(65_536)
    .default(16 * 1024 * 1024)
    .describe('Most encoded bytes all destinations together may hold in memory (shared as buffer_records is)'),
  shutdown_timeout: duration({ min: 0, max: 600_000 }).default(10_000).describe('On SIGTERM/SIGINT, how long to flush what is buffered before exiting'),
  detach_after: duration({ min: 0, max: 600_000 })
    .default(1000)
    .describe('How long the shared reader waits for a destination whose buffer is full before detaching it (only while another destination keeps taking records: a lone destination, or all of them behind, is waited for); a detached destination catches up from its checkpoint with its own reader and rejoins'),
  backlog_detach_after: duration({ min: 0, max: 600_000 })
    .default(10_000)
    .describe('The same wait while a backlog is read (entries more than 10s behind the clock; the longer of the two applies): its records are old already, and a detached destination reads and normalizes them a second time'),
  checkpoint_interval: duration({ min: 10, max: 600_000 }).default(1000).describe('How often acknowledged progress is written to the checkpoint files'),
});

export const metricsOptionsSchema = z.strictObject({
  listen: z
    .string()
    .regex(/^[^:]*:\d{1,5}$/, 'expected HOST:PORT such as "127.0.0.1:9880"')
    .nullable()
    .default('127.0.0.1:9880')
    .describe('Address of the /metrics (Prometheus) and /healthz endpoints; null turns them off'),
});

export const logOptionsSchema = z.strictObject({
  level: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info').describe('Level of the daemon\'s own logs (JSON lines on stderr)'),
});

const destinationSchemas = destinationModules.map((m) => m.schema) as unknown as [z.ZodObject, ...z.ZodObject[]];
export const destinationTypes: string[] = destinationModules.map((m) => m.type);

export const configSchema = z.strictObject({
  journal: journalOptionsSchema.prefault({}).describe('Which journal to read'),
  state: stateOptionsSchema.prefault({}).describe('Checkpoint storage'),
  records: recordsOptionsSchema.prefault({}).describe('How journal entries become records'),
  rate_limit: rateLimitOptionsSchema.prefault({}).describe('Per-stream rate limit'),
  pipeline: pipelineOptionsSchema.prefault({}).describe('Buffers and shutdown'),
  destinations: z
    .array(z.discriminatedUnion('type', destinationSchemas))
    .min(1, 'at least one destination is required when the list is given')
    .default([])
    .describe('Where records are shipped. Required by `run` (at least one); a dry run and the other commands do without'),
  metrics: metricsOptionsSchema.prefault({}).describe('Prometheus metrics and health endpoint'),
  log: logOptionsSchema.prefault({}).describe('The daemon\'s own logs'),
  proxy: proxyOptionsSchema.optional().describe('The rate-limiting syslog proxy in front of journald (`journal-fanout proxy`, see [proxy.md](proxy.md)); required by that command, ignored by the others'),
});

export type Config = z.infer<typeof configSchema>;
export type DestinationOptions = { type: string; name?: string | undefined } & Record<string, unknown>;
