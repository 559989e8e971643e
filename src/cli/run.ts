// `journal-fanout run`: the daemon. Loads the config, starts the pipeline, and stops cleanly on signals.
import os from 'node:os';
import { CheckpointStore } from '../checkpoint/checkpoint-store.ts';
import { loadConfigFile, validateConfig } from '../config/load.ts';
import type { Config } from '../config/schema.ts';
import { Pipeline } from '../pipeline/pipeline.ts';
import { createLogger } from '../selflog/logger.ts';
import { buildDestinations } from './build-destinations.ts';

export interface RunArgs {
  config?: string | undefined;
  dryRun: boolean;
  format?: 'json' | 'text' | undefined;
  /** Stop at the end of the journal instead of following it (catch-up runs, tests). */
  noFollow?: boolean | undefined;
}

/** The config a dry run uses: the file's journal section if one is given, and only a stdout destination. */
async function resolveConfig(args: RunArgs): Promise<Config> {
  const base = args.config ? await loadConfigFile(args.config) : validateConfig({ destinations: [{ type: 'stdout' }] }, undefined);
  if (!args.dryRun) return base;
  return { ...base, destinations: [{ type: 'stdout', name: 'stdout', format: args.format ?? 'json' }] };
}

export async function run(args: RunArgs): Promise<number> {
  const config = await resolveConfig(args);
  const logger = createLogger(config.log.level);
  const host = os.hostname();
  let checkpoints: CheckpointStore | null = null;
  if (!args.dryRun) {
    checkpoints = new CheckpointStore(config.state.directory);
    await checkpoints.init();
  }
  const pipeline = new Pipeline({ config, destinations: buildDestinations(config, host, logger), checkpoints, host, logger });
  let signals = 0;
  const onSignal = (signal: NodeJS.Signals) => {
    signals++;
    if (signals === 1) {
      logger.info({ signal, deadlineMs: config.pipeline.shutdown_timeout }, 'stopping: flushing what is buffered; send the signal again to exit at once');
      pipeline.stop();
      return;
    }
    // Checkpoints are written atomically, so exiting now leaves them consistent (at the last commit).
    logger.warn({ signal }, 'second signal: exiting at once');
    logger.flush();
    process.exit(signal === 'SIGINT' ? 130 : 143);
  };
  process.on('SIGTERM', onSignal);
  process.on('SIGINT', onSignal);
  try {
    await pipeline.run({ follow: !args.noFollow });
  } finally {
    process.off('SIGTERM', onSignal);
    process.off('SIGINT', onSignal);
    logger.flush();
  }
  return typeof process.exitCode === 'number' ? process.exitCode : 0;
}
