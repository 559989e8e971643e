// Public names of the CloudWatch Logs stand-in, for tests and the bench.
export { startCloudWatchStandin } from './server.ts';
export type { CloudWatchStandin, GroupState, StandinCounters, StandinFaults, StandinOptions, StoredEvent, StreamState } from './server.ts';
