// Public names of the journal stage: journalctl runner and export-format parser.
export { ExportParser } from './export-parser.ts';
export { JournalReader, type LostRange, type ReaderCounters, type ReaderOptions } from './journal-reader.ts';
export type { JournalSource, ReadFrom } from './journalctl-args.ts';
