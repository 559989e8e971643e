// Public names of the journal stage: the two readers (journalctl + export parser, native sd_journal), the choice between them.
export { ExportParser } from './export-parser.ts';
export { JournalReader } from './journal-reader.ts';
export { NativeJournalReader } from './native-reader.ts';
export { chooseReader, openReader, type ReaderKind, type ReaderSetting } from './open-reader.ts';
export type { JournalEntryReader, LostRange, ReaderCounters, ReaderOptions } from './reader.ts';
export type { JournalSource, ReadFrom } from './journalctl-args.ts';
