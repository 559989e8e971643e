// The LogDNA (Mezmo) destination module (ingest HTTP API).
import type { DestinationModule } from '../../src/pipeline/destination.ts';
import { logdnaOptionsSchema, type LogdnaOptions } from './config.ts';
import { LogdnaDestination } from './sink.ts';

const logdna: DestinationModule<LogdnaOptions> = {
  type: 'logdna',
  schema: logdnaOptionsSchema,
  secretKeys: ['key'],
  create: (options, context) => new LogdnaDestination(options, context),
};
export default logdna;
