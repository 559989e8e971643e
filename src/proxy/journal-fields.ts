// The journal entries the proxy writes: the fields Docker's journald log driver writes, in journald's native
// protocol (what sd_journal_sendv() puts on the wire), so the forwarder cannot tell the two apart.
//
// moby daemon/logger/journald/journald.go writes, for every line: MESSAGE, PRIORITY (6 for stdout, 3 for
// stderr: the syslog driver sends the same severities), SYSLOG_IDENTIFIER and CONTAINER_TAG (the tag,
// `{{.ID}}` by default), CONTAINER_ID (12 hex), CONTAINER_ID_FULL, CONTAINER_NAME (without the leading "/"),
// IMAGE_NAME (the image as the container was created with it), SYSLOG_TIMESTAMP (the time Docker read the
// line, RFC 3339 with nanoseconds, UTC), CONTAINER_PARTIAL_MESSAGE=true on the parts of a line it split at
// 16 KiB, and the labels and environment variables named by the `labels`, `labels-regex`, `env` and
// `env-regex` log options, their names upper-cased with punctuation turned into "_".
// (It also writes CONTAINER_LOG_EPOCH and CONTAINER_LOG_ORDINAL, for `docker logs`, which reads only its own
// journald driver's entries; they mean nothing for entries written by another process, so they are left out.)

/** What the Docker Engine API says about a container (GET /containers/{id}/json). */
export interface ContainerFacts {
  /** Full ID, 64 hex. */
  id: string;
  /** Without the leading "/". */
  name: string;
  /** Config.Image: the image as the container was created with it (`nginx:1.27`, an ECR URI...). */
  image: string;
  labels: Record<string, string>;
  /** Config.Env, `NAME=value` strings. */
  env: string[];
  /** HostConfig.LogConfig.Config: the log options (tag, labels, env...) with the daemon's defaults merged in. */
  logOptions: Record<string, string>;
}

/**
 * Docker's sanitizeKeyMod: a-z upper-cased, every character other than A-Z and 0-9 replaced by "_", leading
 * underscores dropped (journald ignores user fields that start with "_": they are its trusted fields).
 */
export function journalFieldName(name: string): string {
  let out = '';
  for (const ch of name) {
    let c = ch;
    if (c >= 'a' && c <= 'z') c = c.toUpperCase();
    else if (!((c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9'))) c = '_';
    if (out === '' && c === '_') continue;
    out += c;
  }
  return out;
}

/** journald accepts a user field name of 1-64 characters A-Z, 0-9 and "_", not starting with a digit or "_". */
function validFieldName(name: string): boolean {
  return /^[A-Z][A-Z0-9_]{0,63}$/.test(name);
}

const HEX12 = /^[0-9a-f]{12}$/;
const HEX64 = /^[0-9a-f]{64}$/;

/** The labels and environment variables Docker's `labels`, `labels-regex`, `env`, `env-regex` log options select. */
export function extraAttributes(facts: ContainerFacts, alwaysLabels: readonly string[], onBadRegex?: (option: string, error: Error) => void): Map<string, string> {
  const extra = new Map<string, string>();
  const add = (name: string, value: string) => {
    const field = journalFieldName(name);
    if (validFieldName(field)) extra.set(field, value);
  };
  const regex = (option: string): RegExp | undefined => {
    const source = facts.logOptions[option];
    if (!source) return undefined;
    try {
      return new RegExp(source);
    } catch (error) {
      onBadRegex?.(option, error as Error);
      return undefined;
    }
  };
  const labelNames = [...alwaysLabels, ...(facts.logOptions.labels ? facts.logOptions.labels.split(',') : [])];
  for (const name of labelNames) {
    const value = facts.labels[name];
    if (value !== undefined) add(name, value);
  }
  const labelsRe = regex('labels-regex');
  if (labelsRe) for (const [name, value] of Object.entries(facts.labels)) if (labelsRe.test(name)) add(name, value);
  const env = new Map<string, string>();
  for (const e of facts.env) {
    const eq = e.indexOf('=');
    if (eq > 0) env.set(e.slice(0, eq), e.slice(eq + 1));
  }
  if (env.size > 0) {
    if (facts.logOptions.env) {
      for (const name of facts.logOptions.env.split(',')) {
        const value = env.get(name);
        if (value !== undefined) add(name, value);
      }
    }
    const envRe = regex('env-regex');
    if (envRe) for (const [name, value] of env) if (envRe.test(name)) add(name, value);
  }
  return extra;
}

/**
 * The fields every entry of one container (or non-container sender) carries, in order. With the container's
 * facts: Docker's journald driver's set. Without (no Docker socket, a failed lookup): what the tag says, the
 * IDs when it is one.
 */
export function containerFieldList(tag: string | undefined, facts: ContainerFacts | undefined, alwaysLabels: readonly string[], onBadRegex?: (option: string, error: Error) => void): Array<[string, string]> {
  const fields: Array<[string, string]> = [];
  if (facts !== undefined) {
    fields.push(['CONTAINER_ID', facts.id.slice(0, 12)], ['CONTAINER_ID_FULL', facts.id], ['CONTAINER_NAME', facts.name]);
    if (tag !== undefined) fields.push(['CONTAINER_TAG', tag]);
    fields.push(['IMAGE_NAME', facts.image]);
    if (tag !== undefined) fields.push(['SYSLOG_IDENTIFIER', tag]);
    for (const [name, value] of extraAttributes(facts, alwaysLabels, onBadRegex)) fields.push([name, value]);
    return fields;
  }
  if (tag === undefined) return fields;
  const id = containerIdOf(tag);
  if (id !== undefined) {
    fields.push(['CONTAINER_ID', id.slice(0, 12)]);
    if (id.length === 64) fields.push(['CONTAINER_ID_FULL', id]);
    fields.push(['CONTAINER_TAG', tag]);
  }
  fields.push(['SYSLOG_IDENTIFIER', tag]);
  return fields;
}

/** The container ID a tag is (Docker's `{{.ID}}` or `{{.FullID}}`), else undefined. */
export function containerIdOf(tag: string): string | undefined {
  return HEX12.test(tag) || HEX64.test(tag) ? tag : undefined;
}

const NL = Buffer.from('\n');

/** One field in the native protocol: `NAME=value\n`, or `NAME\n<u64 LE length><value>\n` when the value holds a newline. */
export function encodeField(name: string, value: string | Uint8Array): Buffer {
  const bytes = typeof value === 'string' ? Buffer.from(value, 'utf8') : Buffer.from(value.buffer, value.byteOffset, value.length);
  if (!bytes.includes(0x0a)) return Buffer.concat([Buffer.from(name + '=', 'latin1'), bytes, NL]);
  const length = Buffer.alloc(8);
  length.writeBigUInt64LE(BigInt(bytes.length));
  return Buffer.concat([Buffer.from(name + '\n', 'latin1'), length, bytes, NL]);
}

export function encodeFields(fields: ReadonlyArray<readonly [string, string]>): Buffer {
  return Buffer.concat(fields.map(([name, value]) => encodeField(name, value)));
}

const PRIORITY = Array.from({ length: 8 }, (_, p) => Buffer.from(`PRIORITY=${p}\n`));
const PARTIAL = Buffer.from('CONTAINER_PARTIAL_MESSAGE=true\n');
const MESSAGE_EQ = Buffer.from('MESSAGE=');
const MESSAGE_NL = Buffer.from('MESSAGE\n');

/** `SYSLOG_TIMESTAMP=<text>\n`, encoded once and given to encodeEntry (the proxy reuses it within a millisecond). */
export function timestampField(text: string): Buffer {
  return Buffer.from(`SYSLOG_TIMESTAMP=${text}\n`, 'latin1');
}

/**
 * One entry: the container's constant fields, then MESSAGE, PRIORITY, SYSLOG_TIMESTAMP (timestampField())
 * (and CONTAINER_PARTIAL_MESSAGE, and `extra`, already encoded) in one buffer, ready to send as one datagram.
 */
export function encodeEntry(prefix: Buffer, message: Uint8Array, priority: number, timestamp: Buffer, partial: boolean, extra?: Buffer): Buffer {
  // TypedArray builtins here and below: Buffer.includes and Buffer.copy showed in the profile as wrappers
  // around native calls, costly for values this short.
  const binary = Uint8Array.prototype.includes.call(message, 0x0a);
  const messageBytes = (binary ? MESSAGE_NL.length + 8 : MESSAGE_EQ.length) + message.length + 1;
  const prio = PRIORITY[priority & 7]!;
  const total = prefix.length + messageBytes + prio.length + timestamp.length + (partial ? PARTIAL.length : 0) + (extra?.length ?? 0);
  const out = Buffer.allocUnsafe(total);
  out.set(prefix, 0);
  let at = prefix.length;
  if (binary) {
    out.set(MESSAGE_NL, at);
    at += MESSAGE_NL.length;
    out.writeBigUInt64LE(BigInt(message.length), at);
    at += 8;
  } else {
    out.set(MESSAGE_EQ, at);
    at += MESSAGE_EQ.length;
  }
  out.set(message, at);
  at += message.length;
  out[at++] = 0x0a;
  out.set(prio, at);
  at += prio.length;
  out.set(timestamp, at);
  at += timestamp.length;
  if (partial) {
    out.set(PARTIAL, at);
    at += PARTIAL.length;
  }
  if (extra) out.set(extra, at);
  return out;
}
