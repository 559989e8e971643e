// The `records` config section: how entries become records (service and stream names, partial and multiline joining).
import { z } from 'zod';
import { duration } from '../config/duration.ts';

/** Built-in continuation rules of multiline joining (see src/normalize/continuation.ts). */
export const MULTILINE_RULES = ['indent', 'java', 'python', 'go'] as const;
export type MultilineRule = (typeof MULTILINE_RULES)[number];

const partialSchema = z.strictObject({
  enabled: z.boolean().default(true).describe('Join the parts of lines Docker split at 16 KiB (CONTAINER_PARTIAL_MESSAGE=true) back into one record'),
  max_chars: z
    .number()
    .int()
    .min(1024)
    .default(1_048_576)
    .describe('Longest joined message, in characters: a longer line is shipped in pieces of at most this size'),
});

const multilineSchema = z.strictObject({
  enabled: z.boolean().default(true).describe('Join continuation lines (stack traces, indented lines) to the record before them, per journal stream'),
  rules: z
    .array(z.enum(MULTILINE_RULES))
    .default([...MULTILINE_RULES])
    .describe('Which built-in continuation rules apply. indent: a line starting with a space or tab; java: "Caused by:", "Suppressed:" and "pkg.SomeException: ..." lines; python: "Traceback (most recent call last):" blocks to their final "SomeError: ..." line; go: "goroutine N [...]:" dumps and panics'),
  pattern: z
    .string()
    .min(1)
    .optional()
    .describe('An extra JavaScript regular expression: a line it matches is a continuation. Keep it anchored and simple: it runs on every line'),
  flush_timeout: duration({ min: 1, max: 60_000 })
    .default(500)
    .describe('A record waits this long for continuation lines before it is shipped'),
  max_chars: z.number().int().min(1024).default(262_144).describe('Longest joined message, in characters: a continuation that would exceed it starts a new record'),
  max_lines: z.number().int().min(2).default(1000).describe('Most lines joined into one record'),
});

export const recordsOptionsSchema = z.strictObject({
  service: z
    .string()
    .min(1)
    .default('{service}')
    .describe('Template of the record\'s service name. {service} is the derived default: ECS task family, container name, systemd unit, syslog identifier'),
  stream: z
    .string()
    .min(1)
    .default('{stream}')
    .describe('Template of the record\'s stream name. {stream} is the derived default: the container ID (12 hex), else the host name'),
  partial: partialSchema.prefault({}).describe('Joining of Docker\'s partial messages'),
  multiline: multilineSchema.prefault({}).describe('Joining of continuation lines (stack traces) into the record before them'),
});
export type RecordsOptions = z.infer<typeof recordsOptionsSchema>;
