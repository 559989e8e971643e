// The CloudWatch Logs destination module: options schema and factory.
import type { DestinationModule } from '../../src/pipeline/destination.ts';
import { cloudwatchOptionsSchema, type CloudWatchOptions } from './config.ts';
import { CloudWatchDestination } from './sink.ts';

const cloudwatch: DestinationModule<CloudWatchOptions> = {
  type: 'cloudwatch',
  schema: cloudwatchOptionsSchema,
  // Credentials come from the SDK default chain, never from the config file.
  secretKeys: [],
  create: (options, context) => new CloudWatchDestination(options, context),
};
export default cloudwatch;
