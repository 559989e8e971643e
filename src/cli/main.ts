// Command-line entry: `journal-fanout <command>`. Errors are printed as one clear message, never a stack.
import { ConfigError } from '../model/errors.ts';
import { checkCommand } from './check.ts';
import { UsageError, type Command } from './command.ts';
import { logsCommand } from './logs.ts';
import { proxyCommand } from './proxy.ts';
import { runCommand } from './run.ts';

/** Every command, in the order the help lists them. A new command is a file of src/cli/ and one line here. */
export const COMMANDS: readonly Command[] = [runCommand, checkCommand, proxyCommand, logsCommand];

const COMMON_OPTIONS = `  -c, --config FILE   YAML config (see docs/configuration.md)
  -h, --help          this text
`;

export const USAGE = `usage:
${COMMANDS.map((c) => c.usage).join('')}
options:
${COMMON_OPTIONS}${COMMANDS.map((c) => c.options).join('')}`;

export async function main(argv: string[]): Promise<number> {
  const [name, ...rest] = argv;
  if (name === undefined || name === 'help' || name === '--help' || name === '-h') {
    (name === undefined ? process.stderr : process.stdout).write(USAGE);
    return name === undefined ? 2 : 0;
  }
  const command = COMMANDS.find((c) => c.name === name);
  if (!command) {
    process.stderr.write(`journal-fanout: unknown command ${JSON.stringify(name)}\n\n${USAGE}`);
    return 2;
  }
  if (rest.includes('--help') || rest.includes('-h')) {
    process.stdout.write(`usage:\n${command.usage}\noptions:\n${COMMON_OPTIONS}${command.options}`);
    return 0;
  }
  try {
    return await command.main(rest);
  } catch (error) {
    if (error instanceof UsageError || (error as NodeJS.ErrnoException).code?.startsWith('ERR_PARSE_ARGS_')) {
      process.stderr.write(`journal-fanout ${name}: ${(error as Error).message}\n\n${USAGE}`);
      return 2;
    }
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
