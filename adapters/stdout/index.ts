// The stdout destination module.
import type { DestinationModule } from '../../src/pipeline/destination.ts';
import { stdoutDescriptor, type StdoutOptions } from './config.ts';
import { StdoutDestination } from './sink.ts';

const stdout: DestinationModule<StdoutOptions> = {
  ...stdoutDescriptor,
  create: (options, context) => new StdoutDestination(options, context),
};
export default stdout;
