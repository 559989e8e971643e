// A Fluent forward server stand-in on 127.0.0.1 (in_forward's side of Forward Protocol v1), for tests and the bench:
// strict about the wire format, runs the shared-key handshake, acks or withholds acks, drops connections on demand,
// and records every entry it accepted.
import { createHash, randomBytes } from 'node:crypto';
import net from 'node:net';
import tls from 'node:tls';
import { gunzipSync } from 'node:zlib';
import { Decoder, Encoder, ExtensionCodec } from '@msgpack/msgpack';

/** What the stand-in decodes an EventTime (ext type 0, 8 bytes) into. */
export interface StandinEventTime {
  sec: number;
  nsec: number;
}

export interface ForwardReceived {
  tag: string;
  time: StandinEventTime;
  record: Record<string, unknown>;
  /** Which stand-in took it (its name), and over which connection (counted from 1). */
  server: string;
  connection: number;
  /** The chunk id of the message it came in, if any. */
  chunk: string | undefined;
}

export interface ForwardMessageSeen {
  tag: string;
  entries: number;
  chunk: string | undefined;
  compressed: boolean;
  /** Bytes of the whole message on the wire. */
  bytes: number;
  acked: boolean;
}

/**
 * Faults, applied in the order injected, each `times` times (default 1, Infinity: forever):
 * - withhold-ack: take the message's entries (they are recorded) but send no ack;
 * - drop: close the connection once `afterBytes` bytes (default 1) of the next data message have arrived,
 *   without taking it: a connection lost mid-batch;
 * - close-after-ack: ack the message, then close the connection (a server that restarts between batches).
 */
export type ForwardFault =
  | { kind: 'withhold-ack'; times?: number }
  | { kind: 'drop'; afterBytes?: number; times?: number }
  | { kind: 'close-after-ack'; times?: number };

export interface ForwardStandinOptions {
  /** Name used in `received` and as the PONG server_hostname. */
  name?: string;
  /** Require the handshake with this shared key. */
  sharedKey?: string;
  /** With sharedKey: require one of these users (name -> password), as in_forward's `user_auth`. */
  users?: Record<string, string>;
  /** HELO keepalive (default true): false asks the client for one request per connection. */
  keepalive?: boolean;
  /** Answer every PING with a PONG whose digest is made with this key instead: a server that does not hold the key. */
  impostorKey?: string;
  /** Serve TLS with this key and certificate (PEM); with `ca` and requestCert, require a client certificate. */
  tls?: { key: Buffer | string; cert: Buffer | string; ca?: Buffer | string; requestCert?: boolean };
  /** Listen on this port (default: a free one). */
  port?: number;
}

export interface ForwardCounters {
  connections: number;
  handshakes: number;
  authFailures: number;
  acks: number;
  withheld: number;
  dropped: number;
  /** Connections the client ended in the middle of a message. */
  truncated: number;
}

export interface ForwardStandin {
  name: string;
  host: string;
  port: number;
  received: ForwardReceived[];
  messages: ForwardMessageSeen[];
  /** Why connections were closed for breaking the protocol (the client's fault, or a test's malformed input). */
  violations: string[];
  /** Why handshakes were refused. */
  authFailures: string[];
  counters: ForwardCounters;
  /** Connections open now. */
  readonly openConnections: number;
  inject(fault: ForwardFault): void;
  clearFaults(): void;
  /** The server dies: every connection is destroyed and the port stops listening. */
  stop(): Promise<void>;
  /** Listen again on the same port. */
  start(): Promise<void>;
  close(): Promise<void>;
}

/** EventTime: ext type 0 carrying exactly 8 bytes (spec, "EventTime Ext Format"), nanoseconds under 1e9. */
class BadEventTime {
  readonly why: string;
  constructor(why: string) {
    this.why = why;
  }
}
class EventTimeValue implements StandinEventTime {
  readonly sec: number;
  readonly nsec: number;
  constructor(sec: number, nsec: number) {
    this.sec = sec;
    this.nsec = nsec;
  }
}
const extensionCodec = new ExtensionCodec();
extensionCodec.register({
  type: 0,
  encode: () => null,
  decode: (data: Uint8Array): EventTimeValue | BadEventTime => {
    if (data.length !== 8) return new BadEventTime(`EventTime ext of ${data.length} bytes, not 8`);
    const view = new DataView(data.buffer, data.byteOffset, data.byteLength);
    const nsec = view.getUint32(4);
    if (nsec >= 1_000_000_000) return new BadEventTime(`EventTime nanoseconds ${nsec} not under 1e9`);
    return new EventTimeValue(view.getUint32(0), nsec);
  },
});

/**
 * Stricter than the spec in two places, both noted where they apply: PackedForward entries must be bin, and a
 * record key "__proto__" is refused (@msgpack/msgpack's decoder refuses it before any option can intervene).
 */
const decoderOptions = {
  extensionCodec,
  // Record keys must be strings (spec, "Entry": "pairs of keys(String) and values(Object)").
  mapKeyConverter: (key: unknown): string => {
    if (typeof key !== 'string') throw new Error(`map key ${JSON.stringify(key)} is not a string`);
    return key;
  },
};

const encoder = new Encoder();
const sha512Hex = (...parts: Array<Buffer | string | Uint8Array>): string => {
  const h = createHash('sha512');
  for (const p of parts) h.update(p);
  return h.digest('hex');
};

const isMap = (v: unknown): v is Record<string, unknown> =>
  v !== null && typeof v === 'object' && !Array.isArray(v) && !(v instanceof Uint8Array) && !(v instanceof BadEventTime) && !(v instanceof EventTimeValue) && !(v instanceof Date);
/**
 * Where a decoded value holds a lone surrogate: @msgpack/msgpack decodes the bytes of an encoded surrogate
 * (ED A0..BF xx, not UTF-8) in a short str into one, so this finds what a strict receiver refuses.
 */
function notUtf8(value: unknown, path: string): string | undefined {
  if (typeof value === 'string') return value.isWellFormed() ? undefined : path;
  if (Array.isArray(value)) {
    for (let i = 0; i < value.length; i++) {
      const bad = notUtf8(value[i], `${path}[${i}]`);
      if (bad) return bad;
    }
  } else if (isMap(value)) {
    for (const [k, v] of Object.entries(value)) {
      if (!k.isWellFormed()) return `${path} key`;
      const bad = notUtf8(v, `${path}.${k}`);
      if (bad) return bad;
    }
  }
  return undefined;
}

const CHUNK_ID = /^[A-Za-z0-9+/]{22}==$/;

class FaultQueue {
  #queue: Array<ForwardFault & { left: number }> = [];
  inject(fault: ForwardFault): void {
    this.#queue.push({ ...fault, left: fault.times ?? 1 });
  }
  clear(): void {
    this.#queue = [];
  }
  /** The next fault of this kind, consumed. */
  take<K extends ForwardFault['kind']>(kind: K): Extract<ForwardFault, { kind: K }> | undefined {
    const head = this.#queue[0];
    if (!head || head.kind !== kind) return undefined;
    if (--head.left <= 0) this.#queue.shift();
    return head as unknown as Extract<ForwardFault, { kind: K }>;
  }
  peek(): ForwardFault | undefined {
    return this.#queue[0];
  }
}

export async function startForwardStandin(options: ForwardStandinOptions = {}): Promise<ForwardStandin> {
  const name = options.name ?? 'standin';
  const received: ForwardReceived[] = [];
  const messages: ForwardMessageSeen[] = [];
  const violations: string[] = [];
  const authFailures: string[] = [];
  const counters: ForwardCounters = { connections: 0, handshakes: 0, authFailures: 0, acks: 0, withheld: 0, dropped: 0, truncated: 0 };
  const faults = new FaultQueue();
  const sockets = new Set<net.Socket>();
  /** Sockets the stand-in itself is closing: their read loop ends without a violation. */
  const closing = new WeakSet<net.Socket>();
  let connectionCount = 0;

  const handle = (socket: net.Socket) => {
    const connection = ++connectionCount;
    counters.connections++;
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
    socket.on('error', () => socket.destroy());
    const violate = (why: string) => {
      violations.push(`${name} connection ${connection}: ${why}`);
      closing.add(socket);
      socket.destroy();
    };
    let handshake: { nonce: Buffer; auth: Buffer } | undefined;
    if (options.sharedKey !== undefined) {
      handshake = { nonce: randomBytes(16), auth: options.users ? randomBytes(16) : Buffer.alloc(0) };
      socket.write(encoder.encode(['HELO', { nonce: handshake.nonce, auth: options.users ? handshake.auth : '', keepalive: options.keepalive ?? true }]));
    }
    // Bytes are counted as they arrive so that a drop fault can cut a message in the middle.
    let armedDrop: { afterBytes: number } | undefined;
    let messageBytes = 0;
    async function* chunks(): AsyncGenerator<Buffer> {
      for await (const chunk of socket as AsyncIterable<Buffer>) {
        if (!handshake && !armedDrop) {
          const fault = faults.peek();
          if (fault?.kind === 'drop') {
            faults.take('drop');
            armedDrop = { afterBytes: fault.afterBytes ?? 1 };
          }
        }
        messageBytes += chunk.length;
        if (armedDrop && messageBytes >= armedDrop.afterBytes) {
          counters.dropped++;
          closing.add(socket);
          socket.destroy();
          return;
        }
        yield chunk;
      }
    }
    void (async () => {
      try {
        for await (const message of new Decoder(decoderOptions).decodeStream(chunks())) {
          const bytes = messageBytes;
          messageBytes = 0;
          if (handshake) {
            if (!checkPing(message, handshake)) return;
            handshake = undefined;
            continue;
          }
          if (!onMessage(message, bytes)) return;
        }
      } catch (error) {
        // Closed on purpose (a fault, a violation, stop()), or by the client in the middle of a message: no violation.
        if (closing.has(socket)) return;
        if (socket.readableEnded) counters.truncated++;
        else violate(`not a valid msgpack stream: ${(error as Error).message}`);
      }
    })();

    /** PING: ["PING", client_hostname, shared_key_salt, shared_key_hexdigest, username, password]. */
    function checkPing(message: unknown, h: { nonce: Buffer; auth: Buffer }): boolean {
      const refuse = (reason: string, pongHost = name) => {
        authFailures.push(`${name} connection ${connection}: ${reason}`);
        counters.authFailures++;
        closing.add(socket);
        socket.end(encoder.encode(['PONG', false, reason, pongHost, '']));
        return false;
      };
      if (!Array.isArray(message) || message.length !== 6 || message[0] !== 'PING') {
        violate(`expected PING [type, hostname, salt, digest, username, password], got ${JSON.stringify(message)?.slice(0, 80)}`);
        return false;
      }
      const [, hostname, salt, digest, username, password] = message as unknown[];
      if (typeof hostname !== 'string' || typeof digest !== 'string' || typeof username !== 'string' || typeof password !== 'string' || !(typeof salt === 'string' || salt instanceof Uint8Array)) {
        violate('PING fields of the wrong msgpack types');
        return false;
      }
      if (digest !== sha512Hex(salt, hostname, h.nonce, options.sharedKey!)) return refuse('shared_key mismatch');
      if (options.users) {
        const known = options.users[username];
        if (known === undefined || password !== sha512Hex(h.auth, username, known)) return refuse('username/password mismatch');
      }
      counters.handshakes++;
      const key = options.impostorKey ?? options.sharedKey!;
      socket.write(encoder.encode(['PONG', true, '', name, sha512Hex(salt, name, h.nonce, key)]));
      return true;
    }

    /** One request of the transport phase; false when the connection was closed for it. */
    function onMessage(message: unknown, bytes: number): boolean {
      if (message === null) return true; // a heartbeat (spec: "Client MAY send a msgpack nil value")
      if (!Array.isArray(message) || message.length < 2 || message.length > 4) {
        violate(`request is not [tag, entries-or-time, ...]: ${JSON.stringify(message)?.slice(0, 80)}`);
        return false;
      }
      const [tag, second] = message as unknown[];
      if (typeof tag !== 'string' || tag === '') {
        violate('tag is not a non-empty str');
        return false;
      }
      const isMessageMode = !(second instanceof Uint8Array) && !Array.isArray(second) && typeof second !== 'string';
      const option = message[isMessageMode ? 3 : 2] as unknown;
      if (option !== undefined && !isMap(option)) {
        violate('option is not a map');
        return false;
      }
      const entries: Array<{ time: StandinEventTime; record: Record<string, unknown> }> = [];
      const check = (time: unknown, record: unknown, where: string): string | undefined => {
        if (time instanceof BadEventTime) return `${where}: ${time.why}`;
        let t: StandinEventTime;
        if (typeof time === 'number' && Number.isInteger(time) && time >= 0) t = { sec: time, nsec: 0 };
        else if (time instanceof EventTimeValue) t = { sec: time.sec, nsec: time.nsec };
        else return `${where}: time is neither an integer nor an EventTime (ext type 0)`;
        if (!isMap(record)) return `${where}: record is not a map`;
        const bad = notUtf8(record, 'record');
        if (bad) return `${where}: ${bad} is a str that is not UTF-8 (a UTF-16 surrogate written as 3 bytes)`;
        entries.push({ time: t, record });
        return undefined;
      };
      let compressed = false;
      if (isMessageMode) {
        if (message.length < 3) return (violate('Message mode needs [tag, time, record]'), false);
        const problem = check(second, message[2], 'Message');
        if (problem) return (violate(problem), false);
      } else if (Array.isArray(second)) {
        for (let i = 0; i < second.length; i++) {
          const e = second[i] as unknown;
          if (!Array.isArray(e) || e.length !== 2) return (violate(`Forward entry ${i} is not [time, record]`), false);
          const problem = check(e[0], e[1], `Forward entry ${i}`);
          if (problem) return (violate(problem), false);
        }
      } else {
        // PackedForward / CompressedPackedForward. The spec lets a client send the stream as str; this stand-in
        // asks for bin (the spec's SHOULD, and a str holding binary is not valid UTF-8 for most decoders).
        if (typeof second === 'string') return (violate('PackedForward entries sent as str; send bin'), false);
        let stream = Buffer.from(second.buffer, second.byteOffset, second.byteLength);
        if (option?.compressed !== undefined) {
          if (option.compressed !== 'gzip') return (violate(`option compressed is ${JSON.stringify(option.compressed)}, not "gzip"`), false);
          try {
            stream = gunzipSync(stream);
          } catch (error) {
            return (violate(`compressed entries are not gzip: ${(error as Error).message}`), false);
          }
          compressed = true;
        }
        try {
          let i = 0;
          for (const e of new Decoder(decoderOptions).decodeMulti(stream)) {
            if (!Array.isArray(e) || e.length !== 2) return (violate(`PackedForward entry ${i} is not [time, record]`), false);
            const problem = check(e[0], e[1], `PackedForward entry ${i}`);
            if (problem) return (violate(problem), false);
            i++;
          }
        } catch (error) {
          return (violate(`PackedForward stream: ${(error as Error).message}`), false);
        }
      }
      if (option?.size !== undefined && option.size !== entries.length) return (violate(`option size ${String(option.size)} but ${entries.length} entries`), false);
      const chunk = option?.chunk;
      if (chunk !== undefined && (typeof chunk !== 'string' || !CHUNK_ID.test(chunk))) {
        return (violate(`option chunk ${JSON.stringify(chunk)} is not the Base64 of 128 bits`), false);
      }
      for (const e of entries) received.push({ tag, time: e.time, record: e.record, server: name, connection, chunk: chunk as string | undefined });
      const seen: ForwardMessageSeen = { tag, entries: entries.length, chunk: chunk as string | undefined, compressed, bytes, acked: false };
      messages.push(seen);
      if (chunk === undefined) return true;
      if (faults.take('withhold-ack')) {
        counters.withheld++;
        return true;
      }
      socket.write(encoder.encode({ ack: chunk }));
      seen.acked = true;
      counters.acks++;
      if (faults.take('close-after-ack')) {
        closing.add(socket);
        socket.end();
        return false;
      }
      return true;
    }
  };

  const make = (): net.Server => {
    if (!options.tls) return net.createServer(handle);
    return tls.createServer(
      { key: options.tls.key, cert: options.tls.cert, ...(options.tls.ca ? { ca: options.tls.ca } : {}), requestCert: options.tls.requestCert ?? false, rejectUnauthorized: options.tls.requestCert ?? false },
      handle,
    );
  };
  let server: net.Server | undefined;
  let port = options.port ?? 0;
  const listen = async () => {
    const s = make();
    // A TLS handshake that fails (no or a bad client certificate) is the client's business; keep serving.
    s.on('tlsClientError', () => undefined);
    await new Promise<void>((resolve, reject) => {
      s.once('error', reject);
      s.listen(port, '127.0.0.1', () => resolve());
    });
    server = s;
    port = (s.address() as net.AddressInfo).port;
  };
  const stop = async () => {
    const s = server;
    server = undefined;
    for (const socket of sockets) {
      closing.add(socket);
      socket.destroy();
    }
    sockets.clear();
    if (s) await new Promise<void>((resolve) => s.close(() => resolve()));
  };
  await listen();
  return {
    name,
    host: '127.0.0.1',
    get port() {
      return port;
    },
    received,
    messages,
    violations,
    authFailures,
    counters,
    get openConnections() {
      return sockets.size;
    },
    inject: (fault) => faults.inject(fault),
    clearFaults: () => faults.clear(),
    stop,
    async start() {
      if (!server) await listen();
    },
    close: stop,
  };
}
