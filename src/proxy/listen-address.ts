// Listener addresses in Docker's `syslog-address` form: unixgram:///path, unix:///path, udp://host:port,
// tcp://host:port, tcp+tls://host:port (moby daemon/logger/syslog parseAddress; port 514 when left out).
import { isIP } from 'node:net';
import { UNIX_PATH_MAX } from './libc.ts';

export type ListenAddress =
  | { scheme: 'unixgram' | 'unix'; path: string; url: string }
  | { scheme: 'udp' | 'tcp' | 'tcp+tls'; host: string; port: number; url: string };

/** Docker's default syslog port. */
const DEFAULT_PORT = 514;
const SCHEMES = ['unixgram', 'unix', 'udp', 'tcp', 'tcp+tls'] as const;
const FORM = 'expected unixgram:///PATH, unix:///PATH, udp://HOST:PORT, tcp://HOST:PORT or tcp+tls://HOST:PORT';

/** Parses one address; throws an Error whose message says what is wrong and the expected form. */
export function parseListenAddress(url: string): ListenAddress {
  const sep = url.indexOf('://');
  const scheme = sep > 0 ? url.slice(0, sep) : '';
  if (!(SCHEMES as readonly string[]).includes(scheme)) throw new Error(`${FORM}, got ${JSON.stringify(url)}`);
  const rest = url.slice(sep + 3);
  if (scheme === 'unixgram' || scheme === 'unix') {
    if (!rest.startsWith('/')) throw new Error(`${scheme}:// needs an absolute socket path (${scheme}:///run/journal-fanout/syslog.sock), got ${JSON.stringify(url)}`);
    if (Buffer.byteLength(rest) > UNIX_PATH_MAX) throw new Error(`socket path ${JSON.stringify(rest)} is longer than ${UNIX_PATH_MAX} bytes (the limit of a unix socket address)`);
    return { scheme, path: rest, url };
  }
  let host: string;
  let portText: string | undefined;
  const bracketed = rest.startsWith('[');
  if (bracketed) {
    const close = rest.indexOf(']');
    host = rest.slice(1, close);
    const after = rest.slice(close + 1);
    if (close < 0 || (after !== '' && !after.startsWith(':'))) throw new Error(`${FORM}, got ${JSON.stringify(url)}`);
    portText = after === '' ? undefined : after.slice(1);
  } else {
    const colon = rest.lastIndexOf(':');
    host = colon < 0 ? rest : rest.slice(0, colon);
    portText = colon < 0 ? undefined : rest.slice(colon + 1);
  }
  if (host === '' || (bracketed ? isIP(host) !== 6 : host.includes(':'))) throw new Error(`${FORM} (an IPv6 host in brackets: tcp://[::1]:5514), got ${JSON.stringify(url)}`);
  const port = portText === undefined ? DEFAULT_PORT : Number(portText);
  if (!/^\d{1,5}$/.test(portText ?? '514') || port > 65_535) throw new Error(`port must be 0 to 65535, got ${JSON.stringify(portText)} in ${JSON.stringify(url)}`);
  return { scheme: scheme as 'udp' | 'tcp' | 'tcp+tls', host, port, url };
}
