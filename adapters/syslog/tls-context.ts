// The TLS context of a tls:// destination, built once at start-up from the tls options' PEM files.
import { readFileSync } from 'node:fs';
import tls from 'node:tls';
import { ConfigError } from '../../src/model/errors.ts';
import type { SyslogOptions } from './config.ts';

function readPem(file: string, key: string, where: string): string {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (error) {
    throw new ConfigError([`${where}.tls.${key}: cannot read ${file}: ${(error as NodeJS.ErrnoException).code ?? (error as Error).message}; give the path of a PEM file journal-fanout can read`]);
  }
  if (!text.includes('-----BEGIN ')) throw new ConfigError([`${where}.tls.${key}: ${file} holds no PEM block ("-----BEGIN ..."); give a PEM file`]);
  return text;
}

/**
 * Without tls.ca the server is checked against Node.js's bundled CAs and the system store, as syslog-ng and
 * rsyslog check against the system store: a server certificate from a public or company CA works as is.
 */
export function buildTlsContext(options: SyslogOptions['tls'], where: string): tls.SecureContext {
  const o = options ?? { verify: true };
  const ca = o.ca !== undefined ? readPem(o.ca, 'ca', where) : [...tls.getCACertificates('default'), ...tls.getCACertificates('system')];
  try {
    return tls.createSecureContext({
      ca,
      ...(o.cert !== undefined ? { cert: readPem(o.cert, 'cert', where) } : {}),
      ...(o.key !== undefined ? { key: readPem(o.key, 'key', where) } : {}),
    });
  } catch (error) {
    if (error instanceof ConfigError) throw error;
    // OpenSSL's reason (bad PEM, a key that does not match the certificate); never the key itself.
    throw new ConfigError([`${where}.tls: the certificate files are not usable: ${(error as Error).message}; check tls.ca, tls.cert and tls.key`]);
  }
}
