// The Normalizer: journal entries in, LogRecords out, joining Docker's partial lines and stack traces on the way.
import { fieldTexts, type JournalEntry } from '../model/journal-entry.ts';
import type { Level, LogRecord, RecordSource } from '../model/log-record.ts';
import { ContinuationRules, NOT_CONTINUATION } from './continuation.ts';
import { detached } from './detached.ts';
import { jsonFields, jsonLevel, jsonMessage, jsonTime, parseJsonMessage } from './json-message.ts';
import { levelFromPriority } from './levels.ts';
import type { RecordsOptions } from './options.ts';
import { SourceDeriver } from './source.ts';
import { compileTemplate, type CompiledTemplate } from './template.ts';
import { parseTextMessage, textFields, textLevel, textTime } from './text-message.ts';

type Emit = (record: LogRecord) => void;

/** The record a journal stream is building, waiting for continuation lines. One slot per stream, reused. */
interface StreamSlot {
  record: LogRecord;
  lines: number;
  state: number;
  deadline: number;
}

/** Parts of a line Docker split (CONTAINER_PARTIAL_MESSAGE=true), waiting for the last part. */
interface PartialLine {
  parts: string[];
  /** CONTAINER_PARTIAL_ORDINAL of each part, when Docker sends it (moby >= 20.10). */
  ordinals: number[] | undefined;
  seqs: number[];
  last: JournalEntry;
  firstUs: number;
  chars: number;
  deadline: number;
}

function messageText(entry: JournalEntry): string {
  const raw = entry.fields.MESSAGE;
  if (typeof raw === 'string') return raw;
  if (raw === undefined) return '';
  // Bytes (invalid UTF-8: replaced, never dropped) or, rarely, a repeated field: every value kept.
  return fieldTexts(entry, 'MESSAGE').join('\n');
}

/**
 * Key of the journal stream an entry belongs to, for joining: the container (stdout and stderr apart: the
 * Docker driver writes them with PRIORITY 6 and 3), else the process.
 */
function streamKey(entry: JournalEntry): string {
  const f = entry.fields;
  const id = f.CONTAINER_ID_FULL ?? f.CONTAINER_ID ?? f._PID ?? f.SYSLOG_IDENTIFIER;
  const key = typeof id === 'string' ? id : '';
  const prio = f.PRIORITY;
  return prio === '6' || typeof prio !== 'string' ? key : key + '\u0000' + prio;
}

function partialOrdinal(entry: JournalEntry): number {
  const v = entry.fields.CONTAINER_PARTIAL_ORDINAL;
  return typeof v === 'string' ? Number(v) : NaN;
}

export class Normalizer {
  readonly #service: CompiledTemplate;
  readonly #stream: CompiledTemplate;
  /** Whether a template other than the plain `{service}` / `{stream}` is configured. */
  readonly #templated: boolean;
  /** Whether a template reads `{fields.X}`, so it is rendered per record rather than once per container. */
  readonly #perRecord: boolean;
  /** Rendered sources of containers, by their derived (cached, shared) source. */
  readonly #rendered = new WeakMap<RecordSource, RecordSource>();
  readonly #sources: SourceDeriver;
  readonly #rules: ContinuationRules | undefined;
  readonly #partialEnabled: boolean;
  readonly #partialMaxChars: number;
  readonly #flushMs: number;
  readonly #maxChars: number;
  readonly #maxLines: number;
  readonly #now: () => number;
  readonly #slots = new Map<string, StreamSlot>();
  readonly #partials = new Map<string, PartialLine>();

  /**
   * `host` is this machine's name, used when an entry has no _HOSTNAME. `now` is the clock of flush
   * deadlines (tests pass a fake one; flushDue is given the same clock's time).
   */
  constructor(options: RecordsOptions, host: string, now: () => number = Date.now) {
    this.#service = compileTemplate(options.service, 'records.service');
    this.#stream = compileTemplate(options.stream, 'records.stream');
    this.#templated = options.service !== '{service}' || options.stream !== '{stream}';
    this.#perRecord = this.#service.usesFields || this.#stream.usesFields;
    this.#sources = new SourceDeriver(host);
    const ml = options.multiline;
    this.#rules = ml.enabled ? new ContinuationRules(ml.rules, ml.pattern) : undefined;
    this.#flushMs = ml.flush_timeout;
    this.#maxChars = ml.max_chars;
    this.#maxLines = ml.max_lines;
    this.#partialEnabled = options.partial.enabled;
    this.#partialMaxChars = options.partial.max_chars;
    this.#now = now;
  }

  /** Normalizes one entry. Records are emitted in order per stream; a record may wait for its continuation lines. */
  push(entry: JournalEntry, emit: Emit): void {
    // With multiline joining every record waits in its stream's slot for the next line: held past its entry.
    const text = this.#rules !== undefined ? detached(messageText(entry)) : messageText(entry);
    const key = streamKey(entry);
    if (this.#partialEnabled) {
      const partial = this.#partials.get(key);
      if (entry.fields.CONTAINER_PARTIAL_MESSAGE === 'true') {
        this.#addPart(key, partial, entry, text, emit);
        return;
      }
      if (partial !== undefined) {
        this.#partials.delete(key);
        if (partial.chars + text.length > this.#partialMaxChars) {
          this.#line(partial.last, joinParts(partial), key, partial.seqs, partial.firstUs, emit);
          this.#line(entry, text, key, undefined, entry.realtimeUs, emit);
          return;
        }
        partial.seqs.push(partial.last.seq);
        partial.parts.push(text);
        partial.ordinals?.push(partialOrdinal(entry));
        this.#line(entry, joinParts(partial), key, partial.seqs, partial.firstUs, emit);
        return;
      }
    }
    this.#line(entry, text, key, undefined, entry.realtimeUs, emit);
  }

  /** Emits the records whose flush timeout has passed by `nowMs` (on the clock given to the constructor). */
  flushDue(nowMs: number, emit: Emit): void {
    for (const [key, partial] of this.#partials) {
      if (partial.deadline > nowMs) continue;
      this.#partials.delete(key);
      this.#line(partial.last, joinParts(partial), key, partial.seqs, partial.firstUs, emit);
    }
    for (const [key, slot] of this.#slots) {
      if (slot.deadline > nowMs) continue;
      this.#slots.delete(key);
      emit(slot.record);
    }
  }

  /** Emits everything held (at shutdown). */
  flushAll(emit: Emit): void {
    for (const [key, partial] of this.#partials) {
      this.#partials.delete(key);
      this.#line(partial.last, joinParts(partial), key, partial.seqs, partial.firstUs, emit);
    }
    for (const slot of this.#slots.values()) emit(slot.record);
    this.#slots.clear();
  }

  #addPart(key: string, partial: PartialLine | undefined, entry: JournalEntry, text: string, emit: Emit): void {
    if (partial !== undefined && partial.chars + text.length > this.#partialMaxChars) {
      // Too long to hold: what is held goes out as a record of its own, the line continues in the next one.
      this.#partials.delete(key);
      this.#line(partial.last, joinParts(partial), key, partial.seqs, partial.firstUs, emit);
      partial = undefined;
    }
    const deadline = this.#now() + this.#flushMs;
    if (partial === undefined) {
      const ordinal = partialOrdinal(entry);
      this.#partials.set(detached(key), {
        parts: [text],
        ordinals: ordinal === ordinal ? [ordinal] : undefined,
        seqs: [],
        last: entry,
        firstUs: entry.realtimeUs,
        chars: text.length,
        deadline,
      });
      return;
    }
    partial.seqs.push(partial.last.seq);
    partial.parts.push(text);
    partial.ordinals?.push(partialOrdinal(entry));
    partial.last = entry;
    partial.chars += text.length;
    partial.deadline = deadline;
  }

  /** A complete line: joined to the stream's waiting record when it continues it, else a record of its own. */
  #line(entry: JournalEntry, text: string, key: string, joined: number[] | undefined, firstUs: number, emit: Emit): void {
    const rules = this.#rules;
    if (rules === undefined) {
      emit(this.#build(entry, text, joined, firstUs));
      return;
    }
    const slot = this.#slots.get(key);
    if (slot !== undefined) {
      const record = slot.record;
      const state = rules.match(text, slot.state);
      if (state !== NOT_CONTINUATION && slot.lines < this.#maxLines && record.message.length + 1 + text.length <= this.#maxChars) {
        record.message += '\n' + text;
        const seqs = (record.joinedSeqs ??= []);
        seqs.push(record.seq);
        if (joined !== undefined) for (const s of joined) seqs.push(s);
        record.seq = entry.seq;
        record.cursor = entry.cursor;
        slot.lines++;
        slot.state = state;
        slot.deadline = this.#now() + this.#flushMs;
        return;
      }
      emit(record);
      slot.record = this.#build(entry, text, joined, firstUs);
      slot.lines = 1;
      slot.state = rules.start(text);
      slot.deadline = this.#now() + this.#flushMs;
      return;
    }
    // A slot's key outlives its entry: copied, not a slice of the chunk (see detached).
    this.#slots.set(detached(key), { record: this.#build(entry, text, joined, firstUs), lines: 1, state: rules.start(text), deadline: this.#now() + this.#flushMs });
  }

  #build(entry: JournalEntry, text: string, joined: number[] | undefined, firstUs: number): LogRecord {
    const journalMs = Math.floor(firstUs / 1000);
    let level: Level = levelFromPriority(entry.fields.PRIORITY);
    let time = journalMs;
    let message = text;
    let fields: Record<string, unknown>;
    if (text.charCodeAt(0) === 123 && parseJsonMessage(text, journalMs)) {
      if (jsonMessage !== undefined) message = jsonMessage;
      if (jsonLevel !== undefined) level = jsonLevel;
      if (jsonTime === jsonTime) time = jsonTime;
      fields = jsonFields;
    } else {
      parseTextMessage(text, journalMs);
      if (textLevel !== undefined) level = textLevel;
      if (textTime === textTime) time = textTime;
      fields = textFields ?? {};
    }
    const base = this.#sources.derive(entry);
    const record: LogRecord = {
      time,
      level,
      message,
      fields,
      source: this.#templated ? this.#render(base, fields) : base,
      cursor: entry.cursor,
      seq: entry.seq,
    };
    if (joined !== undefined && joined.length > 0) record.joinedSeqs = joined;
    return record;
  }

  /** The source with the configured service and stream templates applied; once per container unless they read fields. */
  #render(base: RecordSource, fields: Record<string, unknown>): RecordSource {
    const cacheable = !this.#perRecord && base.container !== undefined;
    if (cacheable) {
      const hit = this.#rendered.get(base);
      if (hit !== undefined) return hit;
    }
    const input = { source: base, fields };
    const rendered: RecordSource = { ...base, service: this.#service(input), stream: this.#stream(input) };
    if (cacheable) this.#rendered.set(base, rendered);
    return rendered;
  }
}

/** The parts in Docker's order (by ordinal when it sends them, else as read), as one line. */
function joinParts(partial: PartialLine): string {
  const { parts, ordinals } = partial;
  if (ordinals !== undefined && ordinals.length === parts.length) {
    let sorted = true;
    for (let i = 1; i < ordinals.length; i++) if (!(ordinals[i - 1]! < ordinals[i]!)) sorted = false;
    if (!sorted && ordinals.every((o) => o === o)) {
      const order = parts.map((_, i) => i).sort((a, b) => ordinals[a]! - ordinals[b]!);
      return order.map((i) => parts[i]).join('');
    }
  }
  return parts.length === 1 ? parts[0]! : parts.join('');
}
