// The native reader's worker thread: owns one sd_journal (libsystemd through koffi), reads entries into chunks
// and posts them to the main thread, and follows the journal with sd_journal_wait(), all off the event loop.
import { parentPort, receiveMessageOnPort, workerData, type MessagePort } from 'node:worker_threads';
import type { ReadFrom } from './journalctl-args.ts';
import { loadLibsystemd } from './libsystemd.ts';
import { MappedPages } from './mapped-pages.ts';
import type { NativeChunk } from './native-chunk.ts';
import { SdJournalSession, type ChunkBuffers, type SessionSource, type SkippedEntry } from './native-session.ts';
import type { LostRange } from './reader.ts';

/** Indexes of the Int32Array over `NativeWorkerData.control` (a SharedArrayBuffer). */
export const CONTROL_STOP = 0;
/** Entries posted and not yet handed on by the main thread: the worker reads only while this is under highWater. */
export const CONTROL_OUTSTANDING = 1;
export const CONTROL_SLOTS = 2;

export interface NativeWorkerData {
  source: SessionSource;
  from: ReadFrom;
  follow: boolean;
  checkCursor: boolean;
  highWaterEntries: number;
  /** Bytes of entries read between two drops of the mapped journal pages (mapped-pages.ts). */
  releaseMappedBytes: number;
  control: SharedArrayBuffer;
  /** Where the main thread gives back the buffers of chunks it has decoded (BufferReturn), for reuse. */
  returns: MessagePort;
}

/** Buffers of decoded chunks, transferred back to the worker. */
export interface BufferReturn {
  buffers: ArrayBuffer[];
}

export type NativeWorkerMessage =
  | { type: 'chunk'; chunk: NativeChunk }
  | { type: 'lost'; lost: LostRange }
  | { type: 'skipped'; skipped: SkippedEntry }
  | { type: 'end' }
  | { type: 'error'; code: string; message: string };

/**
 * Bytes of entries per chunk. Each message costs a structured clone and a wake-up of the main thread, and the
 * main thread's decoded values keep the chunk's latin1 strings alive (64 KiB each, native-chunk.ts
 * SEGMENT_BYTES): 128 KiB (about 120 entries of the bench's 1 KB) measured as fast as 256 KiB and 4x less held
 * than 512 KiB. Measured and not kept: 64 KiB chunks posted 8 to a message (main-thread CPU 4.2-5.4 s/M against
 * 3.2-4.4 one a message, alternating runs); 64 KiB chunks one a message saved the main thread as much as the
 * 64 KiB strings of SEGMENT_BYTES do, but made test/pipeline/catch-up-checkpoint.test.ts's read bound fail in 10
 * of 13 runs (96 KiB: 2 of 4; 128 KiB: none of 11).
 */
const CHUNK_BYTES = 128 * 1024;
/**
 * Sizes of the reused chunk buffers. A chunk ends at the first entry past CHUNK_BYTES, so the large size holds
 * the bytes of every chunk whose last entry is under 16 KiB (a larger one gets a buffer of its own); the small
 * one its cursors (about 130 bytes an entry) and its layout (4 bytes a field and 8 an entry).
 */
const SMALL_BUFFER = 32 * 1024;
const LARGE_BUFFER = CHUNK_BYTES + 16 * 1024;
/** Most buffers of each size kept for reuse: more than a read-ahead of highWaterEntries in chunks holds at once. */
const MAX_FREE_BUFFERS = 256;

/** Whether the main thread should give a decoded chunk's buffer back (one of the reused sizes). */
export function reusable(buffer: ArrayBufferLike): buffer is ArrayBuffer {
  return buffer.byteLength === SMALL_BUFFER || buffer.byteLength === LARGE_BUFFER;
}

/**
 * Chunk buffers given back by the main thread after decoding, used again. A fresh buffer for every chunk (a
 * malloc in this thread's glibc arena, freed later by the main thread's GC) left glibc's arenas holding
 * 26-72 MB at a backlog's peak (docs/performance.md, 2026-12-05); reused, their number stays what the
 * read-ahead needs.
 */
class RecycledBuffers implements ChunkBuffers {
  readonly #small: ArrayBuffer[] = [];
  readonly #large: ArrayBuffer[] = [];

  give(buffer: ArrayBuffer): void {
    const list = buffer.byteLength === SMALL_BUFFER ? this.#small : buffer.byteLength === LARGE_BUFFER ? this.#large : undefined;
    if (list !== undefined && list.length < MAX_FREE_BUFFERS) list.push(buffer);
  }

  /** A buffer of at least `bytes` bytes, or undefined when larger than the reused sizes. */
  #take(bytes: number): ArrayBuffer | undefined {
    if (bytes <= SMALL_BUFFER) return this.#small.pop() ?? new ArrayBuffer(SMALL_BUFFER);
    if (bytes <= LARGE_BUFFER) return this.#large.pop() ?? new ArrayBuffer(LARGE_BUFFER);
    return undefined;
  }

  bytes(from: Uint8Array, length: number): Uint8Array {
    const buffer = this.#take(length);
    if (buffer === undefined) return from.slice(0, length);
    const view = new Uint8Array(buffer, 0, length);
    view.set(from.subarray(0, length));
    return view;
  }

  ints(from: Int32Array, length: number): Int32Array {
    const buffer = this.#take(length * Int32Array.BYTES_PER_ELEMENT);
    if (buffer === undefined) return from.slice(0, length);
    const view = new Int32Array(buffer, 0, length);
    view.set(from.subarray(0, length));
    return view;
  }
}
/**
 * How long one sd_journal_wait() may block: the worker looks at the stop flag between waits, so this bounds
 * how long SIGTERM waits for the reader.
 */
const WAIT_USEC = 200_000;

function post(message: NativeWorkerMessage, transfer: ArrayBuffer[] = []): void {
  parentPort!.postMessage(message, transfer);
}

function run(data: NativeWorkerData): void {
  const control = new Int32Array(data.control);
  const stopped = () => Atomics.load(control, CONTROL_STOP) !== 0;
  let session: SdJournalSession | undefined;
  const buffers = new RecycledBuffers();
  const takeReturns = (): void => {
    let message;
    while ((message = receiveMessageOnPort(data.returns)) !== undefined) for (const b of (message.message as BufferReturn).buffers) buffers.give(b);
  };
  try {
    const loaded = loadLibsystemd();
    const pages = new MappedPages(data.releaseMappedBytes, loaded.lib.madvise);
    session = SdJournalSession.open(loaded, data.source);
    const lost = session.position(data.from, data.checkCursor);
    if (lost) post({ type: 'lost', lost });
    if (data.follow) session.prepareFollow();
    while (!stopped()) {
      const outstanding = Atomics.load(control, CONTROL_OUTSTANDING);
      const room = data.highWaterEntries - outstanding;
      if (room <= 0) {
        Atomics.wait(control, CONTROL_OUTSTANDING, outstanding, WAIT_USEC / 1000);
        continue;
      }
      takeReturns();
      const { chunk, atEnd, skipped } = session.readChunk(CHUNK_BYTES, room, buffers);
      for (const s of skipped) post({ type: 'skipped', skipped: s });
      if (chunk) {
        pages.read(chunk.bytes.byteLength);
        Atomics.add(control, CONTROL_OUTSTANDING, chunk.count);
        post({ type: 'chunk', chunk }, [chunk.cursors.buffer as ArrayBuffer, chunk.bytes.buffer as ArrayBuffer, chunk.layout.buffer as ArrayBuffer]);
      }
      if (!atEnd) continue;
      if (!data.follow) {
        post({ type: 'end' });
        return;
      }
      session.wait(WAIT_USEC);
    }
  } catch (error) {
    const e = error as Error & { code?: string };
    post({ type: 'error', code: e.code ?? 'ERR_NATIVE_READER', message: e.message });
  } finally {
    session?.close();
  }
}

if (parentPort && workerData) run(workerData as NativeWorkerData);
