// A batch of PutLogEvents events kept as the request body's bytes, outside the JS heap, from the moment each
// event is added: the body is ready when the batch is sent, and what waits in memory costs what it weighs.
import type { LogRecord } from '../../src/model/log-record.ts';
import { escapedJsonLineBytes, escapedJsonLineRoom, writeEscapedJsonLine } from '../../src/normalize/encode.ts';
import type { LogEvent } from './request-builder.ts';
import { EMPTY_MESSAGE, EVENT_OVERHEAD_BYTES, MAX_BATCH_BYTES, MAX_BATCH_EVENTS, MAX_BATCH_SPAN_MS } from './request-builder.ts';
import { SegmentedBytes } from '../http/segmented-bytes.ts';

/**
 * Measured (200,000-entry backlog to CloudWatch, 200 streams): with batches held as arrays of event strings
 * in the V8 heap, each MiB more of buffer budget cost about 3.7 MB more peak RSS (the strings outlive young
 * collections, are promoted, and the old space grows past them before it is swept), and JSON.stringify of
 * the events at send time was 6% of the daemon's CPU samples. Here each event is written as its JSON once,
 * when it is added, into the batch's segments (SegmentedBytes); the strings die young. The comma that joins an
 * event to the one before is written before it, in its own segment: the segments' bytes in order are the
 * events joined.
 */
export class EventBatch {
  readonly #bytes = new SegmentedBytes();
  /** Per event: its segment, where its JSON starts there (after the comma), its time and counted size. */
  readonly #segs: number[] = [];
  readonly #starts: number[] = [];
  readonly #times: number[] = [];
  readonly #sizes: number[] = [];
  #inOrder = true;

  /** A batch of these events (tests, the micro-bench, and a caller that has them as objects). */
  static of(events: readonly LogEvent[]): EventBatch {
    const batch = new EventBatch();
    for (const e of events) batch.add(e);
    return batch;
  }

  /** Bytes the batch holds (its segments' capacity), beside what its events weigh. */
  get capacity(): number {
    return this.#bytes.capacity;
  }

  get length(): number {
    return this.#starts.length;
  }

  /**
   * `{"timestamp":N,"message":"..."}`, escaped as JSON.stringify escapes it (so the body is the SDK's bytes).
   * `size`: what the event counts against the request's limit, when the caller has counted it already;
   * `record`: the record whose json line (recordToJsonLine) is the message, when it is: its escaped copy is
   * then written straight into a segment from the encoder's parts (writeEscapedJsonLine), never as a string.
   */
  add(event: LogEvent, size?: number, record?: LogRecord): void {
    const n = this.#starts.length;
    const prefix = n > 0 ? ',{"timestamp":' : '{"timestamp":';
    if (record !== undefined) {
      // A json line is never empty. The prefix is ASCII; the line's room is counted by the encoder.
      const head = prefix + event.timestamp + ',"message":"';
      // The bound (twice the line's bytes), or where it does not fit the exact size (counted from the parts).
      const bound = head.length + escapedJsonLineRoom(record) + 2;
      const bytes = this.#bytes.reserve(this.#bytes.fits(bound) ? bound : head.length + escapedJsonLineBytes(record) + 2);
      const from = this.#bytes.at;
      this.#place(n, from);
      let at = from + bytes.write(head, from, 'latin1');
      at = writeEscapedJsonLine(record, bytes, at);
      bytes[at++] = 0x22; // "
      bytes[at++] = 0x7d; // }
      this.#bytes.commit(at);
    } else {
      // The service refuses an empty message: it is replaced, never sent empty, and the record is not dropped.
      const message = event.message.length > 0 ? event.message : EMPTY_MESSAGE;
      const text = prefix + event.timestamp + ',"message":' + JSON.stringify(message) + '}';
      // A UTF-16 code unit is at most 3 UTF-8 bytes; counted exactly only where that bound does not fit.
      const bound = text.length * 3;
      const bytes = this.#bytes.reserve(this.#bytes.fits(bound) ? bound : Buffer.byteLength(text));
      const from = this.#bytes.at;
      this.#place(n, from);
      this.#bytes.commit(from + bytes.write(text, from, 'utf8'));
    }
    if (n > 0 && event.timestamp < this.#times[n - 1]!) this.#inOrder = false;
    this.#times.push(event.timestamp);
    this.#sizes.push(size ?? Buffer.byteLength(event.message.length > 0 ? event.message : EMPTY_MESSAGE) + EVENT_OVERHEAD_BYTES);
  }

  /** Event n's JSON starts at `from` in the current segment, after its comma when it is not the first. */
  #place(n: number, from: number): void {
    this.#segs.push(this.#bytes.segment);
    this.#starts.push(n > 0 ? from + 1 : from);
  }

  /** Where event i's JSON ends in its segment: before the next one's comma, or at the segment's end. */
  #end(i: number): number {
    const seg = this.#segs[i]!;
    return i + 1 < this.#starts.length && this.#segs[i + 1] === seg ? this.#starts[i + 1]! - 1 : this.#bytes.usedOf(seg);
  }

  /**
   * The batch is done and will not be sent again: its segments go back to the pool. The bodies handed out
   * were copies (bodies() concatenates), so no request still reads them.
   */
  release(): void {
    this.#bytes.release();
    this.#segs.length = 0;
    this.#starts.length = 0;
    this.#times.length = 0;
    this.#sizes.length = 0;
    this.#inOrder = true;
  }

  /** The JSON of event i, without the comma before it. */
  #event(i: number): Buffer {
    return this.#bytes.bytesOf(this.#segs[i]!).subarray(this.#starts[i]!, this.#end(i));
  }

  /**
   * The PutLogEvents bodies of the batch: events in time order (a stable sort: events of one millisecond keep
   * their order), cut wherever the next event would break the count, byte or span limit (a guard: the runner
   * keeps batches within them, so this is one body). Each body is what putLogEventsBody(group, stream, events)
   * writes for the same events. They are copies, never views of the batch's segments: release() hands those
   * to the next batches while a body may still be referenced.
   */
  bodies(group: string, stream: string): Array<{ body: Buffer; events: number }> {
    const n = this.#starts.length;
    const order = Array.from({ length: n }, (_, i) => i);
    if (!this.#inOrder) order.sort((a, b) => this.#times[a]! - this.#times[b]! || a - b);
    const head = Buffer.from(JSON.stringify({ logGroupName: group, logStreamName: stream }).slice(0, -1) + ',"logEvents":[');
    const tail = Buffer.from(']}');
    const comma = Buffer.from(',');
    const out: Array<{ body: Buffer; events: number }> = [];
    let from = 0;
    while (from < n) {
      let to = from;
      let bytes = 0;
      const first = this.#times[order[from]!]!;
      while (to < n) {
        const i = order[to]!;
        if (to > from && (to - from >= MAX_BATCH_EVENTS || bytes + this.#sizes[i]! > MAX_BATCH_BYTES || this.#times[i]! - first > MAX_BATCH_SPAN_MS)) break;
        bytes += this.#sizes[i]!;
        to++;
      }
      if (this.#inOrder) {
        // Contiguous: the bytes as they were written, from the first event's segment to the last's.
        const firstSeg = this.#segs[from]!;
        const lastSeg = this.#segs[to - 1]!;
        const pieces: Buffer[] = [head];
        for (let s = firstSeg; s <= lastSeg; s++) {
          const bytes = this.#bytes.bytesOf(s);
          pieces.push(bytes.subarray(s === firstSeg ? this.#starts[from]! : 0, s === lastSeg ? this.#end(to - 1) : bytes.length));
        }
        pieces.push(tail);
        out.push({ body: Buffer.concat(pieces), events: to - from });
      } else {
        const pieces: Buffer[] = [head];
        for (let k = from; k < to; k++) {
          if (k > from) pieces.push(comma);
          pieces.push(this.#event(order[k]!));
        }
        pieces.push(tail);
        out.push({ body: Buffer.concat(pieces), events: to - from });
      }
      from = to;
    }
    return out;
  }
}
