// The CloudWatch Logs destination module: options schema and factory.
import type { DestinationModule } from '../../src/pipeline/destination.ts';
import { cloudwatchDescriptor, type CloudWatchOptions } from './config.ts';
import { CloudWatchDestination } from './sink.ts';

const cloudwatch: DestinationModule<CloudWatchOptions> = {
  ...cloudwatchDescriptor,
  create: (options, context) => new CloudWatchDestination(options, context),
};
export default cloudwatch;
