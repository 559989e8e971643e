// Public names of the data model shared by every stage.
export type { FieldValue, JournalEntry } from './journal-entry.ts';
export { fieldText, fieldTexts } from './journal-entry.ts';
export type { ContainerInfo, EcsInfo, Level, LogRecord, RecordSource } from './log-record.ts';
export { LEVELS } from './log-record.ts';
export { ConfigError, DestinationError, JournalError } from './errors.ts';
