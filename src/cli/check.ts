// `journal-fanout check`: validates a config and prints it resolved (defaults filled in, secrets masked).
import { stringify } from 'yaml';
import { loadConfigFile, maskSecrets } from '../config/load.ts';

export async function check(file: string): Promise<number> {
  const config = await loadConfigFile(file);
  process.stdout.write(`# ${file}: valid\n` + stringify(maskSecrets(config)));
  return 0;
}
