// Command-line entry: `journal-fanout run|check`. Errors are printed as one clear message, never a stack.
import { parseArgs } from 'node:util';
import { ConfigError } from '../model/errors.ts';
import { check } from './check.ts';
import { run } from './run.ts';

export const USAGE = `usage:
  journal-fanout run --config FILE            ship the journal to the configured destinations
  journal-fanout run --dry-run [--config FILE] [--format json|text]
                                              print records to stdout; no checkpoint is written
  journal-fanout check --config FILE          validate a config and print it resolved, secrets masked

options:
  -c, --config FILE   YAML config (see docs/configuration.md)
  --dry-run           stdout destination only (works with no config: this host's journal, from the tail)
  --format json|text  dry-run output format (default json)
  --no-follow         stop at the end of the journal instead of waiting for new entries
  -h, --help          this text
`;

export async function main(argv: string[]): Promise<number> {
  let parsed;
  try {
    parsed = parseArgs({
      args: argv,
      allowPositionals: true,
      options: {
        config: { type: 'string', short: 'c' },
        'dry-run': { type: 'boolean', default: false },
        format: { type: 'string' },
        'no-follow': { type: 'boolean', default: false },
        help: { type: 'boolean', short: 'h', default: false },
      },
    });
  } catch (error) {
    process.stderr.write(`journal-fanout: ${(error as Error).message}\n\n${USAGE}`);
    return 2;
  }
  const { values, positionals } = parsed;
  const command = positionals[0];
  if (values.help || command === undefined || command === 'help') {
    (values.help || command === 'help' ? process.stdout : process.stderr).write(USAGE);
    return values.help || command === 'help' ? 0 : 2;
  }
  if (positionals.length > 1) {
    process.stderr.write(`journal-fanout: unexpected argument ${JSON.stringify(positionals[1])}\n\n${USAGE}`);
    return 2;
  }
  const format = values.format;
  if (format !== undefined && format !== 'json' && format !== 'text') {
    process.stderr.write(`journal-fanout: --format must be json or text, got ${JSON.stringify(format)}\n`);
    return 2;
  }
  try {
    if (command === 'run') {
      if (!values.config && !values['dry-run']) {
        process.stderr.write(`journal-fanout: run needs --config FILE (or --dry-run)\n\n${USAGE}`);
        return 2;
      }
      return await run({ config: values.config, dryRun: values['dry-run'], format, noFollow: values['no-follow'] });
    }
    if (command === 'check') {
      if (!values.config) {
        process.stderr.write(`journal-fanout: check needs --config FILE\n\n${USAGE}`);
        return 2;
      }
      return await check(values.config);
    }
    process.stderr.write(`journal-fanout: unknown command ${JSON.stringify(command)}\n\n${USAGE}`);
    return 2;
  } catch (error) {
    if (error instanceof ConfigError) {
      process.stderr.write(`journal-fanout: invalid configuration: ${error.message}\n`);
      return 1;
    }
    process.stderr.write(`journal-fanout: ${(error as Error).stack ?? String(error)}\n`);
    return 1;
  }
}

if (import.meta.main) {
  process.exitCode = await main(process.argv.slice(2));
}
