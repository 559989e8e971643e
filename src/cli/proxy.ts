// `journal-fanout proxy`: the rate-limiting syslog proxy in front of journald (src/proxy, docs/proxy.md).
import { parseArgs } from 'node:util';
import { runProxy } from '../proxy/run-proxy.ts';
import { UsageError, type Command } from './command.ts';

export const proxyCommand: Command = {
  name: 'proxy',
  usage: '  journal-fanout proxy --config FILE          syslog proxy: Docker\'s syslog driver -> per-container limit -> journald\n',
  options: '',
  async main(argv) {
    const { values } = parseArgs({ args: argv, options: { config: { type: 'string', short: 'c' } } });
    if (!values.config) throw new UsageError('proxy needs --config FILE with a proxy section (see docs/proxy.md)');
    return runProxy(values.config);
  },
};
