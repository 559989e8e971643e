// Creates the configured destinations from their modules (adapters/index.ts), in config order.
import { destinationModules } from '../../adapters/index.ts';
import type { Config } from '../config/schema.ts';
import type { Destination } from '../pipeline/destination.ts';
import type { Logger } from '../selflog/logger.ts';

export function buildDestinations(config: Config, host: string, logger: Logger): Destination[] {
  return (config.destinations as Array<{ type: string; name: string }>).map((options) => {
    const module = destinationModules.find((m) => m.type === options.type);
    if (!module) throw new Error(`no adapter for destination type ${options.type}`);
    return module.create(options, { id: options.name, host, logger: logger.child({ destination: options.name }) });
  });
}
