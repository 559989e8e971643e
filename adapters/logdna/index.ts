// The LogDNA (Mezmo) destination module (ingest HTTP API).
import type { DestinationModule } from '../../src/pipeline/destination.ts';
import { logdnaDescriptor, type LogdnaOptions } from './config.ts';
import { LogdnaDestination } from './sink.ts';

const logdna: DestinationModule<LogdnaOptions> = {
  ...logdnaDescriptor,
  create: (options, context) => new LogdnaDestination(options, context),
};
export default logdna;
