// Every destination type journal-fanout knows, by its `type` key in the config.
import type { DestinationModule } from '../src/pipeline/destination.ts';
import cloudwatch from './cloudwatch/index.ts';
import logdna from './logdna/index.ts';
import loggly from './loggly/index.ts';
import stdout from './stdout/index.ts';

export const destinationModules: readonly DestinationModule[] = [stdout, cloudwatch, loggly, logdna];
