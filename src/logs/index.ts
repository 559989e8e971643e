// Public names of `journal-fanout logs`: read what was shipped to CloudWatch Logs.
export { listServices, listStreams, showEvents, type EventsOptions, type Io, type StreamsOptions } from './commands.ts';
export { LogsError } from './errors.ts';
export { compileLineFormat, DEFAULT_FORMAT, EVENT_TEMPLATE_NAMES, wantsColour } from './line-format.ts';
export { LineWriter } from './output.ts';
export { CloudWatchReader } from './reader.ts';
export { resolveTarget, type LogsTarget, type TargetFlags } from './target.ts';
export { parseTimeSpec, TIME_SPEC_HELP } from './time-spec.ts';
