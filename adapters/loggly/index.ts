// The Loggly destination module (bulk HTTP endpoint).
import type { DestinationModule } from '../../src/pipeline/destination.ts';
import { logglyDescriptor, type LogglyOptions } from './config.ts';
import { LogglyDestination } from './sink.ts';

const loggly: DestinationModule<LogglyOptions> = {
  ...logglyDescriptor,
  create: (options, context) => new LogglyDestination(options, context),
};
export default loggly;
