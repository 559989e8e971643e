// SdJournalSession: one open sd_journal, positioned where a reader starts and read in chunks of copied bytes.
// It runs in the native reader's worker thread (native-worker.ts); nothing here touches the event loop.
import { JournalError } from '../model/errors.ts';
import { cursorRealtimeUs, type ReadFrom } from './journalctl-args.ts';
import { errnoText, SD_JOURNAL_LOCAL_ONLY, type KoffiMemory, type Libsystemd, type LoadedLibsystemd } from './libsystemd.ts';
import type { NativeChunk } from './native-chunk.ts';
import type { LostRange } from './reader.ts';

export interface SessionSource {
  namespace: string | null;
  directory: string | null;
  /** journalctl-style matches: FIELD=value, and "+" for OR between groups. */
  matches: readonly string[];
}

/** An entry libsystemd cannot read (a damaged file); journalctl skips it too (logs-show.c, output_export). */
export interface SkippedEntry {
  cursor: string | undefined;
  reason: string;
}

export interface ChunkRead {
  chunk: NativeChunk | undefined;
  /** The journal had no further entry (for now). */
  atEnd: boolean;
  skipped: SkippedEntry[];
}

/** Where a chunk's buffers come from: copies of the first `length` bytes or ints of the session's arenas. */
export interface ChunkBuffers {
  bytes(from: Uint8Array, length: number): Uint8Array;
  ints(from: Int32Array, length: number): Int32Array;
}

/** Fresh buffers for every chunk. */
const FRESH_BUFFERS: ChunkBuffers = {
  bytes: (from, length) => from.slice(0, length),
  ints: (from, length) => from.slice(0, length),
};

/** A cursor is `s=<32 hex>;i=<hex>;b=<32 hex>;m=<hex>;t=<hex>;x=<hex>`: at most 171 bytes with its NUL. */
const MAX_CURSOR_BYTES = 256;
/** The field arena starts at this size, grows for a large entry, and shrinks back after the chunk. */
const ARENA_BYTES = 1 << 20;
const CURSOR_ARENA_BYTES = 64 * 1024;
const TWO_32 = 4294967296;

/**
 * What is read and how (the flags journalctl uses for the same source, systemd journalctl.c): the system
 * journal and a namespace with SD_JOURNAL_LOCAL_ONLY (this machine's files only), a directory with no flags
 * (every file in it and in its subdirectories).
 */
export function describeSource(source: SessionSource): string {
  if (source.directory) return `journal directory ${source.directory}`;
  if (source.namespace) return `journal namespace "${source.namespace}"`;
  return 'system journal';
}

/** Native memory the worker copies into (its address is what memcpy/stpcpy/copyWithin need), grown on demand. */
class NativeArena {
  readonly #memory: KoffiMemory;
  readonly #lib: Libsystemd;
  readonly #initial: number;
  address: number;
  capacity: number;
  view: Uint8Array;

  constructor(loaded: LoadedLibsystemd, capacity: number) {
    this.#memory = loaded.memory;
    this.#lib = loaded.lib;
    this.#initial = capacity;
    this.capacity = capacity;
    this.address = this.#memory.alloc(capacity);
    this.view = new Uint8Array(this.#memory.view(this.address, capacity));
  }

  /** Room for `needed` bytes, keeping the first `used`. */
  reserve(used: number, needed: number): void {
    if (needed > this.capacity) this.#resize(used, Math.max(this.capacity * 2, needed + this.#initial));
  }

  /** Back to the first size after a large entry. */
  shrink(): void {
    if (this.capacity > this.#initial) this.#resize(0, this.#initial);
  }

  free(): void {
    this.#memory.free(this.address);
  }

  #resize(used: number, capacity: number): void {
    const address = this.#memory.alloc(capacity);
    if (used > 0) this.#lib.memcpy(address, this.address, used);
    this.#memory.free(this.address);
    this.address = address;
    this.capacity = capacity;
    this.view = new Uint8Array(this.#memory.view(address, capacity));
  }
}

export class SdJournalSession {
  readonly #lib: Libsystemd;
  readonly #memory: KoffiMemory;
  readonly #j: number;
  /** Four 8-byte out-parameter slots: cursor pointer, data pointer, data length, spare. */
  readonly #slots: number;
  readonly #sv: Uint32Array;
  /** The entries' fields, back to back. */
  readonly #fields: NativeArena;
  /** Their cursors, back to back: decoded as one string on the main thread. */
  readonly #cursors: NativeArena;
  #layout = new Int32Array(8192);
  /** Positioned on an entry that is still to be read (a seek landed on it). */
  #pending = false;
  #closed = false;

  private constructor(loaded: LoadedLibsystemd, j: number, slots: number) {
    this.#lib = loaded.lib;
    this.#memory = loaded.memory;
    this.#j = j;
    this.#slots = slots;
    this.#sv = new Uint32Array(loaded.memory.view(slots, 32));
    this.#fields = new NativeArena(loaded, ARENA_BYTES);
    this.#cursors = new NativeArena(loaded, CURSOR_ARENA_BYTES);
  }

  /** Opens the source, adds the matches, and asks for whole fields however large (data threshold 0). */
  static open(loaded: LoadedLibsystemd, source: SessionSource): SdJournalSession {
    const { lib, memory } = loaded;
    const slots = memory.alloc(32);
    let r: number;
    if (source.directory) r = lib.openDirectory(slots, source.directory, 0);
    else if (source.namespace) r = lib.openNamespace(slots, source.namespace, SD_JOURNAL_LOCAL_ONLY);
    else r = lib.open(slots, SD_JOURNAL_LOCAL_ONLY);
    if (r < 0) {
      memory.free(slots);
      throw new JournalError('ERR_NATIVE_OPEN', `cannot open the ${describeSource(source)}: sd_journal_open failed with ${errnoText(r)}`);
    }
    const view = new Uint32Array(memory.view(slots, 8));
    const session = new SdJournalSession(loaded, view[0]! + view[1]! * TWO_32, slots);
    try {
      for (const match of source.matches) {
        const bytes = Buffer.from(match, 'utf8');
        r = match === '+' ? lib.addDisjunction(session.#j) : lib.addMatch(session.#j, bytes, bytes.length);
        if (r < 0) throw new JournalError('ERR_NATIVE_MATCH', `journal.matches: libsystemd refused ${JSON.stringify(match)} (${errnoText(r)}); a match is FIELD=value, and "+" goes between two matches`);
      }
      r = lib.setDataThreshold(session.#j, 0);
      if (r < 0) throw new JournalError('ERR_NATIVE_OPEN', `sd_journal_set_data_threshold failed with ${errnoText(r)}`);
    } catch (error) {
      session.close();
      throw error;
    }
    return session;
  }

  /**
   * Positions the journal so that the next chunk starts at `from`. A cursor the journal no longer holds
   * (vacuumed, rotated away) is not sought to the nearest entry silently: with `checkCursor` the lost range is
   * returned and reading starts at the oldest entry (without it, the entry after the cursor's place is next,
   * as journalctl --after-cursor does).
   */
  position(from: ReadFrom, checkCursor: boolean): LostRange | undefined {
    const lib = this.#lib;
    const j = this.#j;
    this.#pending = false;
    if (from.kind === 'head') {
      this.#check(lib.seekHead(j), 'sd_journal_seek_head');
      return undefined;
    }
    if (from.kind === 'tail') {
      // On the last entry (not read): what follows it is new. An empty journal: everything that comes is new.
      this.#check(lib.seekTail(j), 'sd_journal_seek_tail');
      if (this.#check(lib.previous(j), 'sd_journal_previous') === 0) this.#check(lib.seekHead(j), 'sd_journal_seek_head');
      return undefined;
    }
    const cursor = from.cursor;
    let found = false;
    let landed = 0;
    if (lib.seekCursor(j, cursor) >= 0) {
      landed = this.#check(lib.next(j), 'sd_journal_next');
      found = landed > 0 && lib.testCursor(j, cursor) > 0;
    }
    if (found) {
      this.#pending = from.kind === 'at';
      return undefined;
    }
    if (!checkCursor && landed > 0) {
      this.#pending = true;
      return undefined;
    }
    const lost: LostRange = { cursor, fromUs: cursorRealtimeUs(cursor), toUs: this.#oldestRealtimeUs() };
    this.#check(lib.seekHead(j), 'sd_journal_seek_head');
    return lost;
  }

  /** Sets up the journal's inotify watches now, so that nothing written between reading and waiting is missed (as journalctl --follow does). */
  prepareFollow(): void {
    this.#check(this.#lib.getFd(this.#j), 'sd_journal_get_fd');
  }

  /**
   * Waits up to `timeoutUs` for the journal to change (new entries, files added or removed by rotation and
   * vacuuming, which sd_journal_wait() processes); returns SD_JOURNAL_NOP, _APPEND or _INVALIDATE.
   */
  wait(timeoutUs: number): number {
    return this.#check(this.#lib.wait(this.#j, timeoutUs), 'sd_journal_wait');
  }

  /**
   * Reads entries until the chunk holds `maxBytes` or `maxEntries`, or the journal ends. Each entry costs
   * next + get_cursor + stpcpy + free, and one enumerate_data and one copy per field: 47 calls through koffi
   * for the bench's 21 fields, 5.7-7 us of the worker's CPU in all. perf (`perf record` of
   * bench/reader-alone.ts, worker thread): Node-API and V8 for koffi's calls 36% of it, libsystemd 29%, libc
   * (memcpy, the cursor's asprintf, malloc/free) 11%, koffi itself 9%, kernel 8%, this loop 7%. A koffi call
   * costs 45-60 ns however few its arguments, so the calls per entry, not their kind, set the floor.
   *
   * The field bytes are copied into native memory with memcpy through koffi (about 0.07 us a field: without
   * the copies, a wrong-output experiment, the worker took 5.6-5.9 CPU s/M instead of 6.8-7.5) and handed
   * over as one buffer, decoded once on the main thread (the cursors likewise, as a second buffer). Measured
   * and not kept: koffi.decode() of each field, 0.65 us; a Uint8Array over the whole address space
   * (koffi.view from 0x1000, 128 TiB) to copy with its copyWithin(), 0.08 us a field, but V8 then counts
   * 128 TiB of external memory: posting the chunks cost 10x more and GC 3x, a net loss; reading fields from
   * such a view with Buffer#utf8Slice, 0.19 us, and other Buffer methods clamp or truncate offsets beyond
   * 2^31 (Buffer#indexOf and #copy crashed the process).
   */
  readChunk(maxBytes: number, maxEntries: number, buffers: ChunkBuffers = FRESH_BUFFERS): ChunkRead {
    const lib = this.#lib;
    const { next, getCursor, stpcpy, free, enumerateData, memcpy } = lib;
    const j = this.#j;
    const sv = this.#sv;
    const cursorSlot = this.#slots;
    const dataSlot = cursorSlot + 8;
    const lengthSlot = cursorSlot + 16;
    const fieldArena = this.#fields;
    const cursorArena = this.#cursors;
    const skipped: SkippedEntry[] = [];
    // Hoisted for the per-field loop; read again whenever an arena or the layout grows.
    let fieldBase = fieldArena.address;
    let fieldCapacity = fieldArena.capacity;
    let layout = this.#layout;
    let pos = 0;
    let cursorPos = 0;
    let li = 0;
    let count = 0;
    let atEnd = false;
    while (count < maxEntries && pos < maxBytes) {
      if (this.#pending) this.#pending = false;
      else {
        const r = next(j);
        if (r < 0) throw new JournalError('ERR_NATIVE_READ', `reading the journal failed: sd_journal_next returned ${errnoText(r)}`);
        if (r === 0) {
          atEnd = true;
          break;
        }
      }
      const entryPos = pos;
      const entryCursorPos = cursorPos;
      const entryLi = li;
      let r = getCursor(j, cursorSlot);
      if (r < 0) {
        skipped.push({ cursor: undefined, reason: `sd_journal_get_cursor: ${errnoText(r)}` });
        continue;
      }
      cursorArena.reserve(cursorPos, cursorPos + MAX_CURSOR_BYTES);
      if (li + 2 > layout.length) layout = this.#growLayout();
      const cursorPointer = sv[0]! + sv[1]! * TWO_32;
      cursorPos = stpcpy(cursorArena.address + cursorPos, cursorPointer) - cursorArena.address;
      free(cursorPointer);
      const countAt = li;
      layout[li + 1] = cursorPos;
      li += 2;
      let fields = 0;
      // sd_journal_next() starts a new entry's enumeration (set_location() resets current_field): no restart_data().
      while ((r = enumerateData(j, dataSlot, lengthSlot)) > 0) {
        const length = sv[4]! + sv[5]! * TWO_32;
        if (pos + length > fieldCapacity) {
          fieldArena.reserve(pos, pos + length);
          fieldBase = fieldArena.address;
          fieldCapacity = fieldArena.capacity;
        }
        // The pointer is valid only until the next call into the journal: copied at once.
        memcpy(fieldBase + pos, sv[2]! + sv[3]! * TWO_32, length);
        pos += length;
        if (li === layout.length) layout = this.#growLayout();
        layout[li++] = pos;
        fields++;
      }
      if (r < 0) {
        const cursor = Buffer.from(cursorArena.view.buffer, cursorArena.view.byteOffset + entryCursorPos, cursorPos - entryCursorPos).toString('latin1');
        skipped.push({ cursor, reason: `sd_journal_enumerate_data: ${errnoText(r)}` });
        pos = entryPos;
        cursorPos = entryCursorPos;
        li = entryLi;
        continue;
      }
      layout[countAt] = fields;
      count++;
    }
    const chunk = count === 0 ? undefined : { count, cursors: buffers.bytes(cursorArena.view, cursorPos), bytes: buffers.bytes(fieldArena.view, pos), layout: buffers.ints(layout, li) };
    fieldArena.shrink();
    cursorArena.shrink();
    if (this.#layout.length > 65536) this.#layout = new Int32Array(8192);
    return { chunk, atEnd, skipped };
  }

  close(): void {
    if (this.#closed) return;
    this.#closed = true;
    this.#lib.close(this.#j);
    this.#fields.free();
    this.#cursors.free();
    this.#memory.free(this.#slots);
  }

  #check(r: number, what: string): number {
    if (r < 0) throw new JournalError('ERR_NATIVE_READ', `reading the journal failed: ${what} returned ${errnoText(r)}`);
    return r;
  }

  /** Journal time of the oldest entry (that the matches let through), or undefined when there is none. */
  #oldestRealtimeUs(): number | undefined {
    if (this.#lib.seekHead(this.#j) < 0 || this.#lib.next(this.#j) <= 0) return undefined;
    if (this.#lib.getRealtimeUsec(this.#j, this.#slots) < 0) return undefined;
    return this.#sv[0]! + this.#sv[1]! * TWO_32;
  }

  #growLayout(): Int32Array<ArrayBuffer> {
    const layout = new Int32Array(this.#layout.length * 2);
    layout.set(this.#layout);
    this.#layout = layout;
    return layout;
  }
}
