// Buffers for request bodies written as events are added (the segments of CloudWatch's EventBatch and the HTTP
// destinations' LineBatch), kept by capacity for the next batches so that a backlog does not allocate one per batch.

/** Capacity of a batch's first segment; the next ones double up to MAX_SEGMENT_BYTES (segmented-bytes.ts). */
export const INITIAL_BYTES = 16 * 1024;
/** Capacities INITIAL_BYTES << k kept for reuse, k < POOL_CLASSES (16 KiB to 1 MiB), at most this many bytes of each. */
const POOL_CLASSES = 7;
const POOL_BYTES_PER_CLASS = 1024 * 1024;

/**
 * Segments of batches that are done, by capacity, for the next batches.
 * Measured (reader, normalizer and CloudWatch batches over the bench's 200,000 entries, --trace-gc): a fresh
 * Buffer for every batch and every doubling counted as external memory, and V8 ran a full collection each time
 * it had grown by its limit: 32 full collections in the run, 9 with this pool. Kept small (at most
 * POOL_BYTES_PER_CLASS of each capacity): a buffer not in use is memory the daemon holds for nothing.
 */
const pool: Buffer[][] = Array.from({ length: POOL_CLASSES }, () => []);

function poolClass(capacity: number): number {
  const k = Math.log2(capacity / INITIAL_BYTES);
  return Number.isInteger(k) && k < POOL_CLASSES ? k : -1;
}

export function takeBuffer(capacity: number): Buffer {
  const k = poolClass(capacity);
  return (k >= 0 ? pool[k]!.pop() : undefined) ?? Buffer.allocUnsafeSlow(capacity);
}

export function giveBuffer(bytes: Buffer): void {
  const k = poolClass(bytes.length);
  if (k >= 0 && (pool[k]!.length + 1) * bytes.length <= POOL_BYTES_PER_CLASS) pool[k]!.push(bytes);
}
