// Bindings to libsystemd's sd_journal API through koffi: the functions the native reader calls, loaded once
// per thread, with handles and out-parameters passed as plain numbers (addresses) for speed.
import { createRequire } from 'node:module';
import { getSystemErrorMessage, getSystemErrorName } from 'node:util';

/** The shared object every systemd-based distribution ships (Debian/Ubuntu: libsystemd0; Fedora: systemd-libs). */
export const LIBSYSTEMD = 'libsystemd.so.0';
/** Environment variable naming another library file to load instead (an unusual location; tests use a missing one). */
export const LIBSYSTEMD_ENV = 'JOURNAL_FANOUT_LIBSYSTEMD';

/** The library this process loads: JOURNAL_FANOUT_LIBSYSTEMD when set, else libsystemd.so.0 from the system's paths. */
export function libsystemdName(): string {
  return process.env[LIBSYSTEMD_ENV] || LIBSYSTEMD;
}

/** sd-journal.h: only journal files of the local machine (and, with a namespace, of that namespace). */
export const SD_JOURNAL_LOCAL_ONLY = 1 << 0;
/** sd_journal_wait() results (sd-journal.h). */
export const SD_JOURNAL_NOP = 0;
export const SD_JOURNAL_APPEND = 1;
export const SD_JOURNAL_INVALIDATE = 2;

/**
 * The functions used, each with the handle (sd_journal *) and every pointer as a `uintptr_t` number.
 *
 * Measured here (Node 24.21, koffi 3.3.4, 21 fields per entry, next + restart_data + 22 enumerate_data):
 * handle and out-parameters as numbers (addresses of koffi.alloc'd slots) 4.5 us per entry; the handle as a
 * koffi pointer (BigInt) and out-parameters as preallocated Buffers 6.9-7.7 us; a bare call into libc costs
 * koffi about 60-70 ns, so most of the rest is libsystemd's own work.
 */
export interface Libsystemd {
  open(retSlot: number, flags: number): number;
  openNamespace(retSlot: number, namespace: string | null, flags: number): number;
  openDirectory(retSlot: number, path: string, flags: number): number;
  close(j: number): void;
  addMatch(j: number, match: Buffer, size: number): number;
  addDisjunction(j: number): number;
  seekHead(j: number): number;
  seekTail(j: number): number;
  seekCursor(j: number, cursor: string): number;
  testCursor(j: number, cursor: string): number;
  next(j: number): number;
  previous(j: number): number;
  setDataThreshold(j: number, size: number): number;
  enumerateData(j: number, dataSlot: number, lengthSlot: number): number;
  getCursor(j: number, retSlot: number): number;
  getRealtimeUsec(j: number, retSlot: number): number;
  getFd(j: number): number;
  wait(j: number, timeoutUsec: number): number;
  /** libc, found through libsystemd's own dependencies (no libc file name to guess: glibc or musl). */
  free(pointer: number): void;
  /**
   * Declared as returning void (its result, `dest`, is never used): koffi then makes no JS number of an
   * address (a heap number each). 45-51 ns a call against 57-61 with the result, in a loop of 2,000,000.
   */
  memcpy(dest: number, src: number, size: number): void;
  /** Copies a C string and returns the address of its terminating NUL: copy and length in one call. */
  stpcpy(dest: number, src: number): number;
  /** madvise(2): 0, or -1 (errno not read: a refusal is only counted, see mapped-pages.ts). */
  madvise(address: number, length: number, advice: number): number;
}

/** The few koffi calls the native reader needs beyond the library's functions. */
export interface KoffiMemory {
  /** Allocates `size` bytes of native memory; returns its address. */
  alloc(size: number): number;
  free(address: number): void;
  /** An ArrayBuffer over native memory (no copy; valid until freed). */
  view(address: number, size: number): ArrayBuffer;
}

export interface LoadedLibsystemd {
  lib: Libsystemd;
  memory: KoffiMemory;
}

type KoffiModule = typeof import('koffi');

/**
 * Loads koffi and libsystemd in this thread (a worker thread has its own copy). Throws an Error whose message
 * says what is missing: koffi's prebuilt binary for this platform, the library, or a function (sd_journal_open_namespace
 * needs systemd 245 or newer).
 */
export function loadLibsystemd(): LoadedLibsystemd {
  // koffi is loaded on demand, not at import: where its binary is missing, the journalctl reader still runs.
  let koffi: KoffiModule;
  try {
    koffi = createRequire(import.meta.url)('koffi') as KoffiModule;
  } catch (error) {
    throw new Error(`the koffi module cannot be loaded (${firstLine(error)})`, { cause: error });
  }
  const name = libsystemdName();
  let handle: ReturnType<KoffiModule['load']>;
  try {
    handle = koffi.load(name);
  } catch (error) {
    throw new Error(`${name} cannot be loaded (${firstLine(error)})`, { cause: error });
  }
  const fn = (symbol: string, result: string, args: string[]) => {
    try {
      return handle.func(symbol, result, args);
    } catch (error) {
      throw new Error(`${libsystemdName()} has no ${symbol} (${firstLine(error)}); the native reader needs systemd 245 or newer`, { cause: error });
    }
  };
  const P = 'uintptr_t';
  const open = fn('sd_journal_open', 'int', [P, 'int']);
  const openNamespace = fn('sd_journal_open_namespace', 'int', [P, 'const char *', 'int']);
  const openDirectory = fn('sd_journal_open_directory', 'int', [P, 'const char *', 'int']);
  const close = fn('sd_journal_close', 'void', [P]);
  const addMatch = fn('sd_journal_add_match', 'int', [P, 'const void *', 'size_t']);
  const addDisjunction = fn('sd_journal_add_disjunction', 'int', [P]);
  const seekHead = fn('sd_journal_seek_head', 'int', [P]);
  const seekTail = fn('sd_journal_seek_tail', 'int', [P]);
  const seekCursor = fn('sd_journal_seek_cursor', 'int', [P, 'const char *']);
  const testCursor = fn('sd_journal_test_cursor', 'int', [P, 'const char *']);
  const next = fn('sd_journal_next', 'int', [P]);
  const previous = fn('sd_journal_previous', 'int', [P]);
  const setDataThreshold = fn('sd_journal_set_data_threshold', 'int', [P, 'size_t']);
  const enumerateData = fn('sd_journal_enumerate_data', 'int', [P, P, P]);
  const getCursor = fn('sd_journal_get_cursor', 'int', [P, P]);
  const getRealtimeUsec = fn('sd_journal_get_realtime_usec', 'int', [P, P]);
  const getFd = fn('sd_journal_get_fd', 'int', [P]);
  const wait = fn('sd_journal_wait', 'int', [P, 'uint64_t']);
  const free = fn('free', 'void', [P]);
  const memcpy = fn('memcpy', 'void', [P, P, 'size_t']);
  const stpcpy = fn('stpcpy', P, [P, P]);
  const madvise = fn('madvise', 'int', [P, 'size_t', 'int']);
  const lib: Libsystemd = {
    open: (slot, flags) => open(slot, flags) as number,
    openNamespace: (slot, ns, flags) => openNamespace(slot, ns, flags) as number,
    openDirectory: (slot, path, flags) => openDirectory(slot, path, flags) as number,
    close: (j) => void close(j),
    addMatch: (j, match, size) => addMatch(j, match, size) as number,
    addDisjunction: (j) => addDisjunction(j) as number,
    seekHead: (j) => seekHead(j) as number,
    seekTail: (j) => seekTail(j) as number,
    seekCursor: (j, cursor) => seekCursor(j, cursor) as number,
    testCursor: (j, cursor) => testCursor(j, cursor) as number,
    // The hot functions are handed on as they are: a wrapper would add a call per field.
    next: next as (j: number) => number,
    previous: (j) => previous(j) as number,
    setDataThreshold: (j, size) => setDataThreshold(j, size) as number,
    enumerateData: enumerateData as (j: number, dataSlot: number, lengthSlot: number) => number,
    getCursor: getCursor as (j: number, slot: number) => number,
    getRealtimeUsec: (j, slot) => getRealtimeUsec(j, slot) as number,
    getFd: (j) => getFd(j) as number,
    wait: (j, timeout) => wait(j, timeout) as number,
    free: free as (pointer: number) => void,
    memcpy: memcpy as (dest: number, src: number, size: number) => void,
    stpcpy: stpcpy as (dest: number, src: number) => number,
    madvise: (address, length, advice) => madvise(address, length, advice) as number,
  };
  const memory: KoffiMemory = {
    alloc: (size) => Number(koffi.address(koffi.alloc('uint8_t', size))),
    free: (address) => koffi.free(BigInt(address)),
    view: (address, size) => koffi.view(BigInt(address), size),
  };
  return { lib, memory };
}

/** `ENOENT (No such file or directory)` for a negative errno as libsystemd returns it. */
export function errnoText(r: number): string {
  try {
    return `${getSystemErrorName(r)} (${getSystemErrorMessage(r)})`;
  } catch {
    return `error ${r}`;
  }
}

function firstLine(error: unknown): string {
  return String((error as Error)?.message ?? error).split('\n')[0]!;
}
