// Public names of the CloudWatch Logs stand-in, for tests and the bench.
export { startCloudWatchStandin } from './server.ts';
export type { CloudWatchStandin, GroupState, StandinCounters, StandinFaults, StandinOptions, StoredEvent, StreamState } from './server.ts';
export type { StandinPaging } from './read-api.ts';
export { eventId } from './read-api.ts';
