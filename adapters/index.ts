// Every destination type journal-fanout knows, by its `type` key in the config.
import type { DestinationModule } from '../src/pipeline/destination.ts';
import stdout from './stdout/index.ts';

export const destinationModules: readonly DestinationModule[] = [stdout];
