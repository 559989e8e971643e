// `journal-fanout run`: the daemon. Loads the config, starts the pipeline, and stops cleanly on signals.
import os from 'node:os';
import { parseArgs } from 'node:util';
import { CheckpointStore } from '../checkpoint/checkpoint-store.ts';
import { loadConfigFile, validateConfig } from '../config/load.ts';
import type { Config } from '../config/schema.ts';
import { DaemonMetrics, MetricsServer } from '../metrics/index.ts';
import { Pipeline } from '../pipeline/pipeline.ts';
import { createLogger } from '../selflog/logger.ts';
import { buildDestinations } from './build-destinations.ts';
import { UsageError, type Command } from './command.ts';
import { ConfigError } from '../model/errors.ts';

export interface RunArgs {
  config?: string | undefined;
  dryRun: boolean;
  format?: 'json' | 'text' | undefined;
  /** Stop at the end of the journal instead of following it (catch-up runs, tests). */
  noFollow?: boolean | undefined;
}

/** The config a dry run uses: the file's journal section if one is given, and only a stdout destination. */
async function resolveConfig(args: RunArgs): Promise<Config> {
  const base = args.config ? await loadConfigFile(args.config) : validateConfig({}, undefined);
  if (!args.dryRun) {
    if (base.destinations.length === 0) {
      throw new ConfigError(['destinations: required to run the forwarder; list at least one destination (see docs/configuration.md), or use run --dry-run to print records to stdout'], args.config);
    }
    return base;
  }
  return { ...base, destinations: [{ type: 'stdout', name: 'stdout', format: args.format ?? 'json' }] };
}

export async function run(args: RunArgs): Promise<number> {
  // Signals are handled from the first moment: one arriving during start-up ends the run cleanly too.
  let signals = 0;
  let stop: (() => void) | undefined;
  let log: ((signal: NodeJS.Signals, second: boolean) => void) | undefined;
  const onSignal = (signal: NodeJS.Signals) => {
    signals++;
    if (signals === 1) {
      log?.(signal, false);
      stop?.();
      return;
    }
    // Checkpoints are written atomically, so exiting now leaves them consistent (at the last commit).
    log?.(signal, true);
    process.exit(signal === 'SIGINT' ? 130 : 143);
  };
  process.on('SIGTERM', onSignal);
  process.on('SIGINT', onSignal);
  try {
    const config = await resolveConfig(args);
    const logger = createLogger(config.log.level);
    log = (signal, second) => {
      if (!second) logger.info({ signal, deadlineMs: config.pipeline.shutdown_timeout }, 'stopping: flushing what is buffered; send the signal again to exit at once');
      else {
        logger.warn({ signal }, 'second signal: exiting at once');
        logger.flush();
      }
    };
    const host = os.hostname();
    let checkpoints: CheckpointStore | null = null;
    if (!args.dryRun) {
      checkpoints = new CheckpointStore(config.state.directory);
      await checkpoints.init();
    }
    // No endpoint in a dry run: it would collide with the host's running daemon on the same port.
    const served = !args.dryRun && config.metrics.listen !== null;
    // Process metrics only where something can read them: their event-loop sampling costs CPU (process-metrics.ts).
    const metrics = new DaemonMetrics({ bufferRecords: config.pipeline.buffer_records, bufferBytes: config.pipeline.buffer_bytes, processMetrics: served });
    const pipeline = new Pipeline({ config, destinations: await buildDestinations(config, host, logger), checkpoints, host, logger, counters: metrics.pipelineCounters() });
    metrics.observe(() => pipeline.status());
    const server = served ? new MetricsServer(metrics, logger) : undefined;
    try {
      if (server && config.metrics.listen) {
        const address = await server.listen(config.metrics.listen);
        logger.info({ listen: `${address.address}:${address.port}` }, 'serving /metrics and /healthz');
      }
      stop = () => pipeline.stop();
      if (signals > 0) return 0;
      await pipeline.run({ follow: !args.noFollow });
    } finally {
      await server?.close();
      logger.flush();
    }
    return typeof process.exitCode === 'number' ? process.exitCode : 0;
  } finally {
    process.off('SIGTERM', onSignal);
    process.off('SIGINT', onSignal);
  }
}

export const runCommand: Command = {
  name: 'run',
  usage: `  journal-fanout run --config FILE            ship the journal to the configured destinations
  journal-fanout run --dry-run [--config FILE] [--format json|text]
                                              print records to stdout; no checkpoint is written
`,
  options: `  --dry-run           stdout destination only (works with no config: this host's journal, from the tail)
  --format json|text  dry-run output format (default json)
  --no-follow         stop at the end of the journal instead of waiting for new entries
`,
  async main(argv) {
    const { values } = parseArgs({
      args: argv,
      options: {
        config: { type: 'string', short: 'c' },
        'dry-run': { type: 'boolean', default: false },
        format: { type: 'string' },
        'no-follow': { type: 'boolean', default: false },
      },
    });
    const format = values.format;
    if (format !== undefined && format !== 'json' && format !== 'text') throw new UsageError(`--format must be json or text, got ${JSON.stringify(format)}`);
    if (!values.config && !values['dry-run']) throw new UsageError('run needs --config FILE (or --dry-run)');
    return run({ config: values.config, dryRun: values['dry-run'], format, noFollow: values['no-follow'] });
  },
};
