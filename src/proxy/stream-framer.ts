// Splits a syslog byte stream (unix://, tcp://, tcp+tls://) into messages: RFC 6587 octet counting
// ("LEN SP MSG") or newline-terminated, decided per message as RFC 6587 3.4.2 says (a message that starts with
// a non-zero digit is octet-counted; syslog messages themselves start with "<").
//
// Docker's syslog driver ends every message with "\n" and, over tcp+tls with syslog-format rfc5424 or
// rfc5424micro, also prefixes its length (srslog's RFC5425MessageLengthFramer: the "\n" is inside the count).
// A message longer than `maxFrame` is handed on in parts of `maxFrame` bytes as they arrive, so a sender can
// never make the proxy buffer more than that per connection.

/** The frame continues a message whose first part was handed on before. */
export const FRAME_CONTINUED = 1;
/** More parts of this message follow. */
export const FRAME_MORE = 2;

/** `frame` is a view valid only during the call (copy what is kept); `flags` is FRAME_CONTINUED | FRAME_MORE. */
export type FrameSink = (frame: Buffer, flags: number) => void;

const LF = 0x0a;
const SP = 0x20;
/** Digits of the longest octet count accepted (RFC 6587 sets no limit; 10 digits is more than any sane length). */
const MAX_COUNT_DIGITS = 10;
const EMPTY = Buffer.alloc(0);

/** Where the framer is: at a message's start, inside a newline-terminated one, inside an octet-counted one. */
const START = 0;
const LINE = 1;
const OCTETS = 2;

export class StreamFramer {
  readonly #maxFrame: number;
  readonly #emit: FrameSink;
  #pending: Buffer = EMPTY;
  #state: number = START;
  /** Line mode: bytes of #pending already searched for LF. */
  #scanned = 0;
  /** Octet mode: bytes of the current message not yet handed on. */
  #remaining = 0;
  /** A part of the current message was handed on already. */
  #continued = false;

  constructor(maxFrame: number, emit: FrameSink) {
    if (!(Number.isInteger(maxFrame) && maxFrame > 0)) throw new RangeError(`maxFrame must be a positive integer, got ${maxFrame}`);
    this.#maxFrame = maxFrame;
    this.#emit = emit;
  }

  /** Bytes held waiting for the rest of a message (at most maxFrame + one chunk). */
  get pendingBytes(): number {
    return this.#pending.length;
  }

  push(chunk: Buffer): void {
    const buf = this.#pending.length === 0 ? chunk : Buffer.concat([this.#pending, chunk]);
    let pos = 0;
    const max = this.#maxFrame;
    for (;;) {
      if (this.#state === START) {
        if (pos >= buf.length) break;
        const first = buf[pos]!;
        if (first >= 0x31 && first <= 0x39) {
          let j = pos + 1;
          while (j < buf.length && j - pos < MAX_COUNT_DIGITS && buf[j]! >= 0x30 && buf[j]! <= 0x39) j++;
          if (j >= buf.length) break; // the count is not complete yet
          if (buf[j] === SP) {
            this.#remaining = Number(buf.toString('latin1', pos, j));
            this.#state = OCTETS;
            this.#continued = false;
            pos = j + 1;
            continue;
          }
        }
        this.#state = LINE;
        this.#scanned = pos;
      }
      if (this.#state === LINE) {
        const lf = buf.indexOf(LF, Math.max(pos, this.#scanned));
        const end = lf < 0 ? buf.length : lf;
        // Parts of `max` bytes while more than `max` are held, so the last part of a long line is never empty.
        while (end - pos > max) {
          this.#part(buf, pos, pos + max, true);
          pos += max;
        }
        if (lf < 0) {
          this.#scanned = buf.length;
          break;
        }
        if (lf > pos || this.#continued) this.#part(buf, pos, lf, false);
        pos = lf + 1;
        this.#state = START;
        continue;
      }
      // Octets
      while (this.#remaining > max && buf.length - pos >= max) {
        this.#part(buf, pos, pos + max, true);
        pos += max;
        this.#remaining -= max;
      }
      if (this.#remaining > max || buf.length - pos < this.#remaining) break;
      this.#part(buf, pos, pos + this.#remaining, false);
      pos += this.#remaining;
      this.#remaining = 0;
      this.#state = START;
    }
    this.#pending = pos >= buf.length ? EMPTY : buf.subarray(pos);
    this.#scanned = Math.max(0, this.#scanned - pos);
  }

  /** The stream ended: hands on what is held (a last line without "\n", or a message cut short). */
  end(): void {
    const rest = this.#pending;
    this.#pending = EMPTY;
    if (rest.length > 0 || this.#continued) {
      if (this.#state === START && !this.#continued) this.#emit(rest, 0);
      else this.#part(rest, 0, rest.length, false);
    }
    this.#state = START;
    this.#remaining = 0;
    this.#scanned = 0;
    this.#continued = false;
  }

  #part(buf: Buffer, from: number, to: number, more: boolean): void {
    this.#emit(buf.subarray(from, to), (this.#continued ? FRAME_CONTINUED : 0) | (more ? FRAME_MORE : 0));
    this.#continued = more;
  }
}
