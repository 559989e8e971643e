// `journal-fanout check`: validates a config and prints it resolved (defaults filled in, secrets masked).
import { parseArgs } from 'node:util';
import { stringify } from 'yaml';
import { loadConfigFile, maskSecrets } from '../config/load.ts';
import { UsageError, type Command } from './command.ts';

export async function check(file: string): Promise<number> {
  const config = await loadConfigFile(file);
  process.stdout.write(`# ${file}: valid\n` + stringify(maskSecrets(config)));
  return 0;
}

export const checkCommand: Command = {
  name: 'check',
  usage: '  journal-fanout check --config FILE          validate a config and print it resolved, secrets masked\n',
  options: '',
  async main(argv) {
    const { values } = parseArgs({ args: argv, options: { config: { type: 'string', short: 'c' } } });
    if (!values.config) throw new UsageError('check needs --config FILE');
    return check(values.config);
  },
};
