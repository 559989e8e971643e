// Ordering of journal cursors without asking journalctl: seqnum within one seqnum id, else wall-clock time.
import { parseCursor } from './journalctl-args.ts';

/** Negative when a is before b, positive when after, 0 when the same entry or unknown order. */
export function compareCursors(a: string, b: string): number {
  const x = parseCursor(a);
  const y = parseCursor(b);
  if (x.s !== undefined && x.s === y.s && x.i !== undefined && y.i !== undefined) {
    return Number(BigInt(`0x${x.i}`) - BigInt(`0x${y.i}`));
  }
  if (x.t !== undefined && y.t !== undefined) return Number(BigInt(`0x${x.t}`) - BigInt(`0x${y.t}`));
  return 0;
}
