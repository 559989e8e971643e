// The syslog destination module (RFC 5424 / RFC 3164 over UDP, TCP and TLS).
import type { DestinationModule } from '../../src/pipeline/destination.ts';
import { syslogDescriptor, type SyslogOptions } from './config.ts';
import { SyslogDestination } from './sink.ts';

const syslog: DestinationModule<SyslogOptions> = {
  ...syslogDescriptor,
  create: (options, context) => new SyslogDestination(options, context),
};
export default syslog;
