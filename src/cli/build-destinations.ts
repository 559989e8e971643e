// Creates the configured destinations, in config order, loading each type's implementation on first use.
import { destinationModules } from '../../adapters/index.ts';
import type { Config } from '../config/schema.ts';
import type { Destination } from '../pipeline/destination.ts';
import type { Logger } from '../selflog/logger.ts';

export async function buildDestinations(config: Config, host: string, logger: Logger): Promise<Destination[]> {
  const out: Destination[] = [];
  for (const options of config.destinations as Array<{ type: string; name: string }>) {
    const type = destinationModules.find((m) => m.type === options.type);
    if (!type) throw new Error(`no adapter for destination type ${options.type}`);
    const module = await type.load();
    out.push(module.create(options, { id: options.name, host, logger: logger.child({ destination: options.name }) }));
  }
  return out;
}
