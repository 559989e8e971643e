// Options of the stdout destination (dry runs, debugging, piping into another tool).
import { z } from 'zod';
import type { DestinationDescriptor } from '../../src/pipeline/destination.ts';
import { destinationBaseShape } from '../../src/config/destination-base.ts';

export const stdoutOptionsSchema = z.strictObject({
  type: z.literal('stdout'),
  ...destinationBaseShape,
  format: z.enum(['json', 'text']).default('json').describe('json: one record per line as a JSON object; text: time, level, service/stream and message'),
});
export type StdoutOptions = z.infer<typeof stdoutOptionsSchema>;

export const stdoutDescriptor: DestinationDescriptor<StdoutOptions> = { type: 'stdout', schema: stdoutOptionsSchema, secretKeys: [] };
