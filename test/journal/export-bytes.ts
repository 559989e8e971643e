// Test and bench helper: writes journal entries in `journalctl --output=export` format, choosing text or
// binary form for each field the way journalctl does, so tests need no live journald.

import { isUtf8 } from 'node:buffer';

export type ExportValue = string | Uint8Array;
/** An entry as the ordered list of its fields, address fields included, exactly as they are written. */
export type ExportFields = ReadonlyArray<readonly [string, ExportValue]>;

/**
 * journalctl prints a field as `NAME=value` when the value is valid UTF-8 without control characters
 * other than tab (systemd `utf8_is_printable`), and in binary form otherwise.
 */
export function printable(bytes: Uint8Array): boolean {
  for (const b of bytes) if ((b < 0x20 && b !== 0x09) || b === 0x7f) return false;
  return isUtf8(bytes);
}

/** One field; `form` forces text or binary form (text form of a value with a newline is invalid data). */
export function encodeField(name: string, value: ExportValue, form: 'auto' | 'text' | 'binary' = 'auto'): Buffer {
  const bytes = typeof value === 'string' ? Buffer.from(value, 'utf8') : Buffer.from(value);
  const binary = form === 'binary' || (form === 'auto' && !printable(bytes));
  if (!binary) return Buffer.concat([Buffer.from(`${name}=`, 'latin1'), bytes, Buffer.from('\n')]);
  const length = Buffer.alloc(8);
  length.writeBigUInt64LE(BigInt(bytes.length));
  return Buffer.concat([Buffer.from(`${name}\n`, 'latin1'), length, bytes, Buffer.from('\n')]);
}

/** Control characters that force binary form (tab excepted), and lone surrogates (not valid UTF-8). */
const NOT_PRINTABLE = /[\x00-\x08\x0a-\x1f\x7f]|[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/;

/** One entry followed by the blank line that ends it. */
export function encodeEntry(fields: ExportFields, form: 'auto' | 'text' | 'binary' = 'auto'): Buffer {
  // Text-form fields are gathered into one string: encoding field by field made the bench's setup slow.
  const parts: Buffer[] = [];
  let text = '';
  for (const [name, value] of fields) {
    if (form !== 'binary' && typeof value === 'string' && (form === 'text' || !NOT_PRINTABLE.test(value))) {
      text += `${name}=${value}\n`;
    } else {
      if (text !== '') parts.push(Buffer.from(text, 'utf8'));
      text = '';
      parts.push(encodeField(name, value, form));
    }
  }
  parts.push(Buffer.from(`${text}\n`, 'utf8'));
  return parts.length === 1 ? parts[0]! : Buffer.concat(parts);
}

/** The address fields journalctl writes first, for entry number `i` of a made-up journal. */
export function addressFields(i: number, bootId = '8bc04d45edf04ad6a9070d5c19dee0b5'): Array<[string, string]> {
  const realtime = 1_700_000_000_000_000 + i * 1_000;
  const monotonic = 397_653_255 + i * 1_000;
  return [
    ['__CURSOR', `s=049a856bcc504dbca8c26def1d0ceeb9;i=${i.toString(16)};b=${bootId};m=${monotonic.toString(16)};t=${realtime.toString(16)};x=e34d5a37${(i * 2654435761 >>> 0).toString(16)}`],
    ['__REALTIME_TIMESTAMP', String(realtime)],
    ['__MONOTONIC_TIMESTAMP', String(monotonic)],
    ['_BOOT_ID', bootId],
  ];
}

/**
 * Fields of a realistic Docker journald-driver entry (what `docker run --log-driver journald` writes):
 * 21 fields after the 4 address fields, a MESSAGE of 50-300 bytes that is JSON, logfmt or plain text.
 * `rand` returns numbers in [0, 1).
 */
export function dockerEntryFields(i: number, rand: () => number): Array<[string, string]> {
  const c = Math.floor(rand() * 200);
  const service = `svc${c % 20}`;
  const containerIdFull = (c.toString(16).padStart(8, '0') + 'a1b2c3d4e5f6').repeat(4).slice(0, 64);
  const messageLength = 50 + Math.floor(rand() * 251);
  const kind = i % 3;
  let message: string;
  if (kind === 0) message = `{"level":"info","msg":"handled request","path":"/api/v1/items/${i}","status":200,"pad":"`;
  else if (kind === 1) message = `level=warn ts=2024-05-01T12:00:00Z caller=server.go:${i % 900} msg="slow query" pad=`;
  else message = `2024/05/01 12:00:00 INFO worker ${c} processed job ${i} `;
  message += 'x'.repeat(Math.max(0, messageLength - message.length - 2));
  if (kind === 0) message += '"}';
  return [
    ...addressFields(i),
    ['PRIORITY', kind === 1 ? '4' : '6'],
    ['_TRANSPORT', 'journal'],
    ['_UID', '0'],
    ['_GID', '0'],
    ['_CAP_EFFECTIVE', '1ffffffffff'],
    ['_SYSTEMD_SLICE', 'system.slice'],
    ['_MACHINE_ID', '3d1219c7c4c5404aaa1f6d2a48adfda4'],
    ['_HOSTNAME', 'ip-10-0-1-23.ec2.internal'],
    ['_PID', '812'],
    ['_COMM', 'dockerd'],
    ['_EXE', '/usr/bin/dockerd'],
    ['_CMDLINE', '/usr/bin/dockerd -H fd:// --containerd=/run/containerd/containerd.sock'],
    ['_SYSTEMD_CGROUP', '/system.slice/docker.service'],
    ['_SYSTEMD_UNIT', 'docker.service'],
    ['_SYSTEMD_INVOCATION_ID', '5f0a6f2b9c1d4e8fa1b2c3d4e5f60718'],
    ['CONTAINER_ID', containerIdFull.slice(0, 12)],
    ['CONTAINER_ID_FULL', containerIdFull],
    ['CONTAINER_NAME', `ecs-${service}-${c % 7}-app-${containerIdFull.slice(0, 16)}`],
    ['CONTAINER_TAG', containerIdFull.slice(0, 12)],
    ['IMAGE_NAME', `123456789012.dkr.ecr.us-east-1.amazonaws.com/${service}:1.${c % 9}.0`],
    ['SYSLOG_IDENTIFIER', containerIdFull.slice(0, 12)],
    ['MESSAGE', message],
    ['_SOURCE_REALTIME_TIMESTAMP', String(1_700_000_000_000_000 + i * 1_000 - 7)],
  ];
}

/** A small deterministic PRNG (mulberry32), so generated streams are the same on every run. */
export function seededRandom(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
