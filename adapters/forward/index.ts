// The Fluent forward destination module (Forward Protocol v1 to Fluentd, Fluent Bit or Vector aggregators).
import type { DestinationModule } from '../../src/pipeline/destination.ts';
import { forwardDescriptor, type ForwardOptions } from './config.ts';
import { ForwardDestination } from './sink.ts';

const forward: DestinationModule<ForwardOptions> = {
  ...forwardDescriptor,
  create: (options, context) => new ForwardDestination(options, context),
};
export default forward;
