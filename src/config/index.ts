// Public names of the config stage.
export { loadConfigFile, maskSecrets, parseConfigText, validateConfig } from './load.ts';
export { configSchema, type Config, type DestinationOptions } from './schema.ts';
export { duration, parseDuration } from './duration.ts';
