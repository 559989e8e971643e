// Every destination type journal-fanout knows, by its `type` key in the config. Only the light descriptors
// (zod schemas) load with the config; an implementation (the AWS SDK, got) loads when a destination of its
// type is configured, so `check`, dry runs and configs without CloudWatch do not pay for the SDK.
import type { DestinationDescriptor, DestinationModule } from '../src/pipeline/destination.ts';
import { cloudwatchDescriptor } from './cloudwatch/config.ts';
import { forwardDescriptor } from './forward/config.ts';
import { logdnaDescriptor } from './logdna/config.ts';
import { logglyDescriptor } from './loggly/config.ts';
import { stdoutDescriptor } from './stdout/config.ts';
import { syslogDescriptor } from './syslog/config.ts';

export interface DestinationType extends DestinationDescriptor {
  load(): Promise<DestinationModule>;
}

const lazy = <D extends DestinationDescriptor>(descriptor: D, load: () => Promise<{ default: unknown }>): DestinationType => ({
  ...(descriptor as DestinationDescriptor),
  load: async () => (await load()).default as DestinationModule,
});

export const destinationModules: readonly DestinationType[] = [
  lazy(stdoutDescriptor, () => import('./stdout/index.ts')),
  lazy(cloudwatchDescriptor, () => import('./cloudwatch/index.ts')),
  lazy(logglyDescriptor, () => import('./loggly/index.ts')),
  lazy(logdnaDescriptor, () => import('./logdna/index.ts')),
  lazy(forwardDescriptor, () => import('./forward/index.ts')),
  lazy(syslogDescriptor, () => import('./syslog/index.ts')),
];
