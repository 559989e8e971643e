// SHA-256 and HMAC-SHA256 for the SDK's SigV4 signer, with the HMAC keys imported once: the same digests as the
// SDK's default (@smithy/hash-node), at a fraction of its cost per signed request.
import { createHash, createHmac, createSecretKey, hash, type KeyObject } from 'node:crypto';

/**
 * Measured: node:crypto's createHmac with a raw Buffer key imports the key on every call (about 28 us on this
 * machine) against 5.6 us with a KeyObject made once. A signed request takes two HMACs (the credentials' cache
 * key and the signature, both with keys that change once a day or with the credentials).
 */
const MAX_CACHED_KEYS = 64;

/** What the SDK hands a checksum (@smithy/types SourceData). */
type SourceData = string | ArrayBuffer | ArrayBufferView;
const keysByText = new Map<string, KeyObject>();
const keysByBytes = new WeakMap<object, KeyObject>();

function keyOf(secret: SourceData): KeyObject {
  if (typeof secret === 'string') {
    let key = keysByText.get(secret);
    if (!key) {
      if (keysByText.size >= MAX_CACHED_KEYS) keysByText.clear();
      key = createSecretKey(Buffer.from(secret, 'utf8'));
      keysByText.set(secret, key);
    }
    return key;
  }
  // The signer keeps each day's signing key as one Uint8Array and passes that same object each time.
  let key = keysByBytes.get(secret);
  if (!key) {
    key = createSecretKey(Buffer.from(bytesOf(secret)));
    keysByBytes.set(secret, key);
  }
  return key;
}

function bytesOf(data: SourceData): Uint8Array {
  if (typeof data === 'string') return Buffer.from(data, 'utf8');
  if (ArrayBuffer.isView(data)) return new Uint8Array(data.buffer, data.byteOffset, data.byteLength);
  return new Uint8Array(data);
}

/**
 * HMACs of a text secret over a short text, remembered: the signer computes HMAC(secret key, access key id)
 * before every signature only to name its signing-key cache entry (@smithy/signature-v4 getSigningKey).
 */
const MAX_REMEMBERED_TEXT = 256;
const rememberedHmacs = new Map<string, Map<string, Buffer>>();

function rememberedHmac(secret: string, text: string): Buffer {
  let bySecret = rememberedHmacs.get(secret);
  if (!bySecret) {
    if (rememberedHmacs.size >= MAX_CACHED_KEYS) rememberedHmacs.clear();
    bySecret = new Map();
    rememberedHmacs.set(secret, bySecret);
  }
  let digest = bySecret.get(text);
  if (!digest) {
    if (bySecret.size >= MAX_CACHED_KEYS) bySecret.clear();
    digest = createHmac('sha256', keyOf(secret)).update(text, 'utf8').digest();
    bySecret.set(text, digest);
  }
  return digest;
}

/**
 * The Checksum constructor the SDK takes as `sha256`: `new Sha256()` hashes, `new Sha256(secret)` is an HMAC.
 * The data is kept until digest(): one piece (the usual case: a body, a canonical request) is hashed in one
 * call, without a Hash object (measured about 3 us less each, two per signature).
 */
export class Sha256 {
  readonly #secret: SourceData | undefined;
  #pieces: Array<string | Uint8Array> = [];

  constructor(secret?: SourceData) {
    this.#secret = secret;
  }

  update(data: SourceData, encoding?: 'utf8' | 'ascii' | 'latin1'): void {
    this.#pieces.push(typeof data === 'string' ? (encoding === undefined || encoding === 'utf8' ? data : Buffer.from(data, encoding)) : bytesOf(data));
  }

  digest(): Promise<Uint8Array> {
    const pieces = this.#pieces;
    const secret = this.#secret;
    if (secret === undefined) {
      if (pieces.length === 1) return Promise.resolve(hash('sha256', pieces[0]!, 'buffer'));
      const h = createHash('sha256');
      for (const piece of pieces) h.update(piece);
      return Promise.resolve(h.digest());
    }
    if (typeof secret === 'string' && pieces.length === 1 && typeof pieces[0] === 'string' && pieces[0].length <= MAX_REMEMBERED_TEXT) {
      return Promise.resolve(Buffer.from(rememberedHmac(secret, pieces[0])));
    }
    const h = createHmac('sha256', keyOf(secret));
    for (const piece of pieces) h.update(piece);
    return Promise.resolve(h.digest());
  }

  reset(): void {
    this.#pieces = [];
  }
}

const HMAC_BLOCK_BYTES = 64;

/**
 * HMAC-SHA256 (RFC 2104) with one key, its two padded blocks made once: each MAC is then two one-shot
 * hashes of (block || message). For the signature of each PutLogEvents (its key, the day's signing key,
 * changes daily). Measured: in a loop of its own createHmac with a KeyObject is as fast (1.7 us against
 * 1.9-2.3), but a CPU profile of the PutLogEvents bench charged its Hmac object about 8 us of each request.
 */
export class HmacSha256 {
  readonly #inner: Buffer;
  readonly #outer: Buffer;

  constructor(key: Uint8Array) {
    const k = key.length > HMAC_BLOCK_BYTES ? hash('sha256', key, 'buffer') : key;
    this.#inner = Buffer.alloc(HMAC_BLOCK_BYTES, 0x36);
    this.#outer = Buffer.alloc(HMAC_BLOCK_BYTES, 0x5c);
    for (let i = 0; i < k.length; i++) {
      this.#inner[i]! ^= k[i]!;
      this.#outer[i]! ^= k[i]!;
    }
  }

  /** The MAC of this text (UTF-8), in lowercase hex. */
  hex(message: string): string {
    const length = Buffer.byteLength(message);
    const inner = Buffer.allocUnsafe(HMAC_BLOCK_BYTES + length);
    this.#inner.copy(inner, 0);
    inner.write(message, HMAC_BLOCK_BYTES, 'utf8');
    const outer = Buffer.allocUnsafe(HMAC_BLOCK_BYTES + 32);
    this.#outer.copy(outer, 0);
    outer.set(hash('sha256', inner, 'buffer'), HMAC_BLOCK_BYTES);
    return hash('sha256', outer, 'hex');
  }
}
