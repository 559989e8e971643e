// Copies of strings cut from a reader's chunk, for what the normalizer holds past the entry it came from.

/**
 * `text`, sharing no memory with the string it was cut from. The readers hand on field values as slices of the
 * text of a whole chunk (64 KiB strings with either reader), which is cheaper than a copy
 * per value; but a slice keeps its whole chunk alive. A record held for its continuation lines, or a container's
 * cached source, would keep a chunk each: chunks that outlive young collections are promoted to the old
 * generation, to be freed by full collections: the native reader and the normalizer alone over the bench's
 * 200,000 entries ran 12 of them, 5 with these copies, 3 with multiline joining off (--trace-gc). Concatenation makes a rope;
 * slicing the rope flattens it into a new string of the text's length, and the slice points into that.
 */
export function detached(text: string): string {
  return (' ' + text).slice(1);
}
