// Runs the normalizer over the real-world corpus in test/fixtures/normalize-corpus.json, one case at a time.
import { readFileSync } from 'node:fs';
import type { JournalEntry } from '../../src/model/journal-entry.ts';
import type { LogRecord, RecordSource } from '../../src/model/log-record.ts';
import { Normalizer } from '../../src/normalize/normalizer.ts';
import { recordsOptionsSchema } from '../../src/normalize/options.ts';

export const CORPUS_PATH = new URL('../fixtures/normalize-corpus.json', import.meta.url);

/** One input: a MESSAGE (text, or bytes as hex), or several lines of one stream; `fields` override the group's (null removes). */
export interface CorpusCase {
  message?: string;
  messageHex?: string;
  lines?: string[];
  note?: string;
  fields?: Record<string, string | null>;
  /** The expected record (or records, in emit order). */
  expect?: CompactRecord | CompactRecord[];
}

export interface CorpusGroup {
  name: string;
  /** Journal fields of every entry of the group, besides MESSAGE. */
  fields: Record<string, string>;
  /** The expected source of the group's records, unless a record says otherwise. */
  source?: RecordSource;
  cases: CorpusCase[];
}

export interface Corpus {
  /** When the journal received every entry (ISO). */
  realtime: string;
  /** The host name the normalizer is given (used when an entry has no _HOSTNAME). */
  host: string;
  groups: CorpusGroup[];
}

/** A LogRecord as the corpus writes it: time as ISO text, cursor implied (`c<seq>`), source only when not the group's. */
export interface CompactRecord {
  time: string;
  level: string;
  message: string;
  fields: Record<string, unknown>;
  source?: RecordSource;
  seq: number;
  joinedSeqs?: number[];
}

export function loadCorpus(): Corpus {
  return JSON.parse(readFileSync(CORPUS_PATH, 'utf8')) as Corpus;
}

export function caseEntries(corpus: Corpus, group: CorpusGroup, c: CorpusCase): JournalEntry[] {
  const fields: Record<string, string> = { ...group.fields };
  for (const [k, v] of Object.entries(c.fields ?? {})) {
    if (v === null) delete fields[k];
    else fields[k] = v;
  }
  const realtimeUs = Date.parse(corpus.realtime) * 1000;
  const messages: Array<string | Uint8Array> = c.lines ?? [c.messageHex !== undefined ? new Uint8Array(Buffer.from(c.messageHex, 'hex')) : c.message!];
  return messages.map((MESSAGE, i) => ({
    seq: i + 1,
    cursor: `c${i + 1}`,
    realtimeUs,
    monotonicUs: 1000 + i,
    bootId: 'b0',
    fields: { ...fields, MESSAGE },
  }));
}

/** Normalizes one case with the default `records` options and returns every record, everything flushed. */
export function runCase(corpus: Corpus, group: CorpusGroup, c: CorpusCase): LogRecord[] {
  const normalizer = new Normalizer(recordsOptionsSchema.parse({}), corpus.host, () => 0);
  const out: LogRecord[] = [];
  for (const entry of caseEntries(corpus, group, c)) normalizer.push(entry, (r) => out.push(r));
  normalizer.flushAll((r) => out.push(r));
  return out;
}

export function toCompact(record: LogRecord, groupSource: RecordSource | undefined): CompactRecord {
  const compact: CompactRecord = {
    time: new Date(record.time).toISOString(),
    level: record.level,
    message: record.message,
    fields: record.fields,
    seq: record.seq,
  };
  if (groupSource === undefined || JSON.stringify(groupSource) !== JSON.stringify(record.source)) compact.source = record.source;
  if (record.joinedSeqs !== undefined) compact.joinedSeqs = record.joinedSeqs;
  return compact;
}

/** The full LogRecord a compact expectation stands for. */
export function fromCompact(compact: CompactRecord, groupSource: RecordSource | undefined): LogRecord {
  const record: LogRecord = {
    time: Date.parse(compact.time),
    level: compact.level as LogRecord['level'],
    message: compact.message,
    fields: compact.fields,
    source: (compact.source ?? groupSource)!,
    cursor: `c${compact.seq}`,
    seq: compact.seq,
  };
  if (compact.joinedSeqs !== undefined) record.joinedSeqs = compact.joinedSeqs;
  return record;
}
