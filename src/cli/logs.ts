// `journal-fanout logs`: reads what was shipped to CloudWatch Logs. Parses arguments only; src/logs does the work
// (loaded on use, so that `run` and `check` do not load the AWS SDK for it).
import { parseArgs } from 'node:util';
import { parseDuration } from '../config/duration.ts';
import { UsageError, type Command } from './command.ts';

const DEFAULT_SINCE = '1h';
const DEFAULT_FOLLOW_SINCE = '10m';
const DEFAULT_INTERVAL = '2s';
const DEFAULT_OVERLAP = '2m';

const OPTIONS = {
  config: { type: 'string', short: 'c' },
  destination: { type: 'string' },
  'group-prefix': { type: 'string' },
  region: { type: 'string' },
  endpoint: { type: 'string' },
  since: { type: 'string', short: 's' },
  until: { type: 'string', short: 'u' },
  filter: { type: 'string' },
  follow: { type: 'boolean', short: 'f', default: false },
  interval: { type: 'string' },
  overlap: { type: 'string' },
  limit: { type: 'string', short: 'n' },
  format: { type: 'string' },
  json: { type: 'boolean', default: false },
} as const;

function positiveInt(text: string | undefined, flag: string): number | undefined {
  if (text === undefined) return undefined;
  if (!/^\d+$/.test(text) || Number(text) < 1 || !Number.isSafeInteger(Number(text))) throw new UsageError(`${flag} expects a whole number of at least 1, got ${JSON.stringify(text)}`);
  return Number(text);
}

function durationMs(text: string, flag: string, min: number, max: number): number {
  const ms = parseDuration(text);
  if (ms === undefined || ms < min || ms > max) throw new UsageError(`${flag} expects a duration between ${min} ms and ${max / 1000} s such as "2s", "500ms" or "5m", got ${JSON.stringify(text)}`);
  return ms;
}

export const logsCommand: Command = {
  name: 'logs',
  usage: `  journal-fanout logs services [--json]        the services (log groups) with their last event time
  journal-fanout logs streams SERVICE [--since TIME] [--limit N] [--json]
                                              a service's streams (containers), newest first, with first/last event times
  journal-fanout logs SERVICE [STREAM...] [--since TIME] [--until TIME] [--filter PATTERN] [-f] [--limit N]
                  [--format TEMPLATE | --json]
                                              a service's events (of the named streams, else all), oldest first
    where to read, for every logs form: --config FILE [--destination NAME] (the forwarder's cloudwatch
    destination: group template, region, endpoint), or --group-prefix PREFIX [--region R] [--endpoint URL]
`,
  options: `  logs options (docs/logs-cli.md):
  --destination NAME     the cloudwatch destination of --config FILE to use, when it has several
  --group-prefix PREFIX  a service's log group is PREFIX + SERVICE (default: the config's group template,
                         else "/journal-fanout/", the destination's default)
  --region REGION        AWS region (default: the config's, else AWS_REGION or the profile's)
  --endpoint URL         CloudWatch Logs endpoint URL (default: the config's, else the region's)
  -s, --since TIME       first event time shown: 1h, 30m, 2d, 1h30m (ago), or 2026-11-24, 2026-11-24T16:52:13Z,
                         2026-11-24 16:52 (UTC unless a zone is given), epoch seconds/ms (default ${DEFAULT_SINCE}; ${DEFAULT_FOLLOW_SINCE} with -f;
                         for streams: only streams written to since then)
  -u, --until TIME       last event time shown, same forms (default: now; not with -f)
  --filter PATTERN       CloudWatch filter pattern, applied by the service: ERROR, "exact phrase", ?ERROR ?WARN,
                         ERROR -retry, '{ $.level = "ERROR" }' (the records' JSON: level, message, data.service...)
  -f, --follow           keep polling and show new events as they arrive, each once (late ones too); Ctrl-C ends
  --interval DURATION    time between polls with -f (default ${DEFAULT_INTERVAL})
  --overlap DURATION     with -f, how late after its own time an event may arrive and still be shown (default ${DEFAULT_OVERLAP})
  -n, --limit N          events: the newest N of the range (with -f: of the backlog, then every new one);
                         streams: the N most recently written
  --format TEMPLATE      one line per event (default "{time} {level} {stream} {message}"); names: time, level,
                         message, service, stream, host, unit, identifier, pid, container.id|name|image,
                         ecs.cluster|family|revision|task_arn|task_id, log_group, log_stream, event_id,
                         ingestion_time, fields.X; {a|b|"default"} takes the first with a value
  --json                 one JSON object per line: the record as shipped (services and streams: their details)
  colour by level on a terminal only; NO_COLOR=1 turns it off
`,
  async main(argv) {
    const { values, positionals } = parseArgs({ args: argv, options: OPTIONS, allowPositionals: true, strict: true });
    const [first, ...rest] = positionals;
    if (first === undefined) throw new UsageError('logs needs a service, or "services", or "streams SERVICE"');
    const logs = await import('../logs/index.ts');
    const now = Date.now();
    const time = (flag: string, text: string | undefined): number | undefined => {
      if (text === undefined) return undefined;
      const t = logs.parseTimeSpec(text, now);
      if (t === undefined) throw new UsageError(`${flag}: cannot read ${JSON.stringify(text)} as a time; expected ${logs.TIME_SPEC_HELP}`);
      return t;
    };
    const limit = positiveInt(values.limit, '--limit');
    const intervalMs = durationMs(values.interval ?? DEFAULT_INTERVAL, '--interval', 100, 3_600_000);
    const overlapMs = durationMs(values.overlap ?? DEFAULT_OVERLAP, '--overlap', 0, 86_400_000);
    if (values.json && values.format !== undefined) throw new UsageError('--json and --format exclude each other: --json prints the record as shipped');

    let reader: InstanceType<typeof logs.CloudWatchReader> | undefined;
    const stop = new AbortController();
    const onSignal = () => stop.abort();
    try {
      const target = await logs.resolveTarget({ config: values.config, destination: values.destination, groupPrefix: values['group-prefix'], region: values.region, endpoint: values.endpoint });
      const out = new logs.LineWriter(process.stdout);
      const io = { out, warn: (message: string) => process.stderr.write(`journal-fanout logs: ${message}\n`), signal: stop.signal };
      if (first === 'services') {
        if (rest.length > 0) throw new UsageError(`logs services takes no other argument, got ${JSON.stringify(rest[0])}`);
        reader = new logs.CloudWatchReader(target);
        return await logs.listServices(reader, target.naming, { json: values.json }, io);
      }
      if (first === 'streams') {
        if (rest.length !== 1) throw new UsageError('logs streams takes one SERVICE');
        reader = new logs.CloudWatchReader(target);
        return await logs.listStreams(reader, target.naming, rest[0]!, { json: values.json, since: time('--since', values.since), limit }, io);
      }
      if (values.follow && values.until !== undefined) throw new UsageError('--until and --follow exclude each other: following has no end');
      const since = time('--since', values.since ?? (values.follow ? DEFAULT_FOLLOW_SINCE : DEFAULT_SINCE))!;
      const until = time('--until', values.until);
      if (until !== undefined && until < since) throw new UsageError(`--until (${new Date(until).toISOString()}) is before --since (${new Date(since).toISOString()})`);
      const format = values.json ? ('json' as const) : logs.compileLineFormat(values.format ?? logs.DEFAULT_FORMAT);
      reader = new logs.CloudWatchReader(target);
      if (values.follow) {
        process.on('SIGINT', onSignal);
        process.on('SIGTERM', onSignal);
      }
      return await logs.showEvents(
        reader,
        target.naming,
        {
          service: first,
          streams: rest,
          since,
          until,
          filterPattern: values.filter,
          follow: values.follow,
          limit,
          format,
          colour: !values.json && logs.wantsColour(process.stdout, process.env),
          intervalMs,
          overlapMs,
        },
        io,
      );
    } catch (error) {
      if (error instanceof logs.LogsError) {
        if (error.exitCode === 2) throw new UsageError(error.message);
        process.stderr.write(`journal-fanout logs: ${error.message}\n`);
        return error.exitCode;
      }
      throw error;
    } finally {
      process.off('SIGINT', onSignal);
      process.off('SIGTERM', onSignal);
      reader?.close();
    }
  },
};
