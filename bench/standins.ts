// The bench's stand-ins: the test servers, with what they store dropped as it arrives (counters kept), and
// the latency of events that carry their journal write time.
import { startCloudWatchStandin, type CloudWatchStandin } from '../test/standins/cloudwatch/index.ts';
import { startLogdnaStandin, type LogdnaStandin } from '../test/standins/logdna/index.ts';
import { startLogglyStandin, type LogglyStandin } from '../test/standins/loggly/index.ts';
import { SyslogNg } from '../test/helpers/syslog-ng.ts';

/** The write time the steady-state writer puts in each message (`wts=<ms>`, `"wts":<ms>`). */
const WRITE_TIME = /wts\D{1,4}(\d{13})/;
/** How often stored events are looked at and dropped: the stand-ins keep everything, the bench cannot. */
const TRIM_MS = 250;

export interface BenchStandins {
  cloudwatch: CloudWatchStandin;
  loggly: LogglyStandin | undefined;
  logdna: LogdnaStandin | undefined;
  /** A real syslog-ng counting what it receives (--syslog): not a stand-in, the server itself. */
  syslog: SyslogNg | undefined;
  /** Latencies (ms) from write to CloudWatch acceptance of events that carry a write time. */
  latencies: number[];
  /** Records accepted by each HTTP stand-in: the smallest of them (all must reach N). */
  acceptedByAll(): number;
  close(): Promise<void>;
}

/** The daemon's destinations against these stand-ins: CloudWatch alone (row 2), or all four (row 3, and syslog-ng with --syslog). */
export function benchDestinations(s: BenchStandins, all: boolean): Array<Record<string, unknown>> {
  const destinations: Array<Record<string, unknown>> = [
    { type: 'cloudwatch', name: 'cloudwatch', region: 'us-east-1', endpoint: s.cloudwatch.endpoint, group: '/ecs/{service}', stream: '{stream}', retention_days: 30 },
  ];
  if (all) {
    destinations.push(
      { type: 'loggly', name: 'loggly', token: s.loggly!.token, endpoint: s.loggly!.endpoint, tags: ['{service}'] },
      { type: 'logdna', name: 'logdna', key: s.logdna!.key, endpoint: s.logdna!.endpoint },
      { type: 'stdout', name: 'stdout', format: 'json' },
    );
    if (s.syslog) destinations.push({ type: 'syslog', name: 'syslog', url: `tcp://127.0.0.1:${s.syslog.ports.tcpOctet}` });
  }
  return destinations;
}

export async function startBenchStandins(options: { all: boolean; latency?: boolean; syslog?: boolean }): Promise<BenchStandins> {
  const cloudwatch = await startCloudWatchStandin();
  const loggly = options.all ? await startLogglyStandin() : undefined;
  const logdna = options.all ? await startLogdnaStandin() : undefined;
  const syslog = options.syslog ? await SyslogNg.start({ output: 'count' }) : undefined;
  const latencies: number[] = [];
  const trim = () => {
    for (const group of cloudwatch.groups.values()) {
      for (const stream of group.streams.values()) {
        if (options.latency) {
          for (const e of stream.events) {
            const m = WRITE_TIME.exec(e.message);
            if (m) latencies.push(e.ingestionTime - Number(m[1]));
          }
        }
        stream.events.length = 0;
      }
    }
    if (loggly) loggly.received.length = 0;
    if (logdna) logdna.received.length = 0;
  };
  const timer = setInterval(trim, TRIM_MS);
  return {
    cloudwatch,
    loggly,
    logdna,
    syslog,
    latencies,
    acceptedByAll() {
      trim();
      let n = cloudwatch.counters.acceptedEvents;
      if (loggly) n = Math.min(n, loggly.counters.events);
      if (logdna) n = Math.min(n, logdna.counters.lines);
      if (syslog) n = Math.min(n, syslog.count());
      return n;
    },
    async close() {
      clearInterval(timer);
      trim();
      await Promise.all([cloudwatch.close(), loggly?.close(), logdna?.close(), syslog?.stop()]);
    },
  };
}
