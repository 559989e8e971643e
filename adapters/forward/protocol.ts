// The Forward Protocol v1 messages this client sends and reads (fluentd wiki, "Forward Protocol Specification v1"):
// the PackedForward frame, the server's ack, and the handshake's HELO, PING and PONG with their SHA-512 digests.
import { createHash, randomBytes } from 'node:crypto';
import { Encoder } from '@msgpack/msgpack';

const encoder = new Encoder();

/** Options of a PackedForward message ("Option"): `size` entries, the `chunk` id to ack, `compressed: gzip`. */
export interface FrameOptions {
  size: number;
  chunk?: string | undefined;
  compressed?: 'gzip' | undefined;
}

/** msgpack bin header for `length` bytes (bin 8 / 16 / 32). */
function binHeader(length: number): Buffer {
  if (length < 0x100) return Buffer.from([0xc4, length]);
  if (length < 0x1_0000) {
    const b = Buffer.allocUnsafe(3);
    b[0] = 0xc5;
    b.writeUInt16BE(length, 1);
    return b;
  }
  const b = Buffer.allocUnsafe(5);
  b[0] = 0xc6;
  b.writeUInt32BE(length, 1);
  return b;
}

/**
 * `[tag, entries, option]` as the buffers to write, entries untouched: a 3-array (0x93), the tag as str, the
 * MessagePackEventStream as bin (the spec's SHOULD; CompressedPackedForward's MUST), then the option map.
 */
export function packedForwardFrame(tag: string, entries: Buffer, options: FrameOptions): Buffer[] {
  const option: Record<string, unknown> = { size: options.size };
  if (options.chunk !== undefined) option.chunk = options.chunk;
  if (options.compressed !== undefined) option.compressed = options.compressed;
  return [Buffer.from([0x93]), Buffer.from(encoder.encode(tag)), binHeader(entries.length), entries, Buffer.from(encoder.encode(option))];
}

/** A chunk id: "a string of Base64 representation of 128 bits unique_id" (spec, "Option"). */
export function newChunkId(): string {
  return randomBytes(16).toString('base64');
}

/** The `ack` of a server's response map, or undefined when the message is not one. */
export function ackOf(message: unknown): string | undefined {
  if (message === null || typeof message !== 'object' || Array.isArray(message) || message instanceof Uint8Array) return undefined;
  const ack = (message as Record<string, unknown>).ack;
  return typeof ack === 'string' ? ack : undefined;
}

/** A msgpack str or bin value as bytes (nonce and auth salt may be either). */
function bytesOf(value: unknown): Buffer | undefined {
  if (typeof value === 'string') return Buffer.from(value, 'utf8');
  if (value instanceof Uint8Array) return Buffer.from(value.buffer, value.byteOffset, value.byteLength);
  return undefined;
}

export interface Helo {
  nonce: Buffer;
  /** Salt for the password digest; empty when the server does not authenticate users. */
  auth: Buffer;
  /** false: the server wants one request per connection. */
  keepalive: boolean;
}

/** `["HELO", {nonce, auth, keepalive}]`, or a reason why the message is not a valid HELO. */
export function parseHelo(message: unknown): Helo | string {
  if (!Array.isArray(message) || message[0] !== 'HELO') return 'expected a HELO message';
  const options = message[1] as Record<string, unknown> | undefined;
  if (message.length !== 2 || options === null || typeof options !== 'object' || Array.isArray(options) || options instanceof Uint8Array) {
    return 'HELO is not ["HELO", {options}]';
  }
  const nonce = bytesOf(options.nonce);
  if (!nonce || nonce.length === 0) return 'HELO has no nonce';
  const auth = options.auth === undefined ? Buffer.alloc(0) : bytesOf(options.auth);
  if (!auth) return 'HELO auth is neither str nor bin';
  if (options.keepalive !== undefined && typeof options.keepalive !== 'boolean') return 'HELO keepalive is not a boolean';
  return { nonce, auth, keepalive: options.keepalive !== false };
}

const sha512Hex = (...parts: Array<Buffer | string>): string => {
  const hash = createHash('sha512');
  for (const p of parts) hash.update(p);
  return hash.digest('hex');
};

/** sha512_hex(shared_key_salt + hostname + nonce + shared_key): PING's digest with the client's name, PONG's with the server's. */
export function sharedKeyDigest(salt: string, hostname: string, nonce: Buffer, sharedKey: string): string {
  return sha512Hex(salt, hostname, nonce, sharedKey);
}

/** sha512_hex(auth_salt + username + password): PING's password field. */
export function passwordDigest(auth: Buffer, username: string, password: string): string {
  return sha512Hex(auth, username, password);
}

export interface Credentials {
  sharedKey: string;
  hostname: string;
  username?: string | undefined;
  password?: string | undefined;
}

/**
 * `["PING", client_hostname, shared_key_salt, shared_key_hexdigest, username, password_digest]`, and the salt
 * (to check the PONG). The salt is 16 random bytes as hex, a str every server reads. Username and password are
 * sent only when the HELO asks for them (a non-empty auth salt), as empty strings otherwise.
 */
export function pingMessage(helo: Helo, credentials: Credentials): { message: Buffer; salt: string } {
  const salt = randomBytes(16).toString('hex');
  const digest = sharedKeyDigest(salt, credentials.hostname, helo.nonce, credentials.sharedKey);
  const askUser = helo.auth.length > 0;
  const username = askUser ? (credentials.username ?? '') : '';
  const password = askUser ? passwordDigest(helo.auth, username, credentials.password ?? '') : '';
  return { message: Buffer.from(encoder.encode(['PING', credentials.hostname, salt, digest, username, password])), salt };
}

/**
 * Checks `["PONG", auth_result, reason, server_hostname, shared_key_hexdigest]`: the server accepted us, and
 * proved that it holds the same shared key (the digest over our salt and its host name). Returns undefined when
 * all is well, else what is wrong, with `refused` when the server or its proof said no (not a transport fault).
 */
export function checkPong(message: unknown, helo: Helo, salt: string, sharedKey: string): { reason: string; refused: boolean } | undefined {
  if (!Array.isArray(message) || message[0] !== 'PONG' || message.length !== 5) return { reason: 'expected a PONG message ["PONG", auth_result, reason, server_hostname, digest]', refused: false };
  const [, ok, reason, hostname, digest] = message as [string, unknown, unknown, unknown, unknown];
  if (typeof ok !== 'boolean') return { reason: 'PONG auth_result is not a boolean', refused: false };
  if (!ok) {
    const why = typeof reason === 'string' && reason !== '' ? reason.slice(0, 200) : 'no reason given';
    return { reason: `the server refused the handshake: "${why}"`, refused: true };
  }
  if (typeof hostname !== 'string' || typeof digest !== 'string') return { reason: 'PONG server_hostname or digest is not a string', refused: false };
  if (digest !== sharedKeyDigest(salt, hostname, helo.nonce, sharedKey)) {
    return { reason: `the server ("${hostname.slice(0, 100)}") accepted the handshake but its PONG digest does not match: it does not hold the same shared_key`, refused: true };
  }
  return undefined;
}
