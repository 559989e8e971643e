// Which syslog failures are worth retrying (a pure function of the error), and what a failed connection means to the operator.
import { DestinationError } from '../../src/model/errors.ts';
import type { FailureAction } from '../../src/pipeline/destination.ts';

/**
 * OpenSSL's verification results as Node.js reports them: the server's certificate is not one we trust. A
 * human must fix the configuration (or the server), so the destination stops instead of retrying forever.
 */
export const TLS_VERIFY_HINTS: Readonly<Record<string, string>> = {
  UNABLE_TO_VERIFY_LEAF_SIGNATURE: 'no trusted CA signed it: set tls.ca to the PEM file of the CA that did',
  UNABLE_TO_GET_ISSUER_CERT: 'no trusted CA signed it: set tls.ca to the PEM file of the CA that did',
  UNABLE_TO_GET_ISSUER_CERT_LOCALLY: 'no trusted CA signed it: set tls.ca to the PEM file of the CA that did',
  SELF_SIGNED_CERT_IN_CHAIN: 'its chain ends in a CA we do not trust: set tls.ca to that CA\'s PEM file',
  DEPTH_ZERO_SELF_SIGNED_CERT: 'it is self-signed: set tls.ca to that certificate (or to the CA that should sign it)',
  CERT_UNTRUSTED: 'it is not trusted for this purpose: check tls.ca',
  CERT_SIGNATURE_FAILURE: 'its signature does not verify: check tls.ca',
  CERT_HAS_EXPIRED: 'it has expired: the server needs a renewed certificate',
  CERT_NOT_YET_VALID: 'it is not valid yet: check the clocks of both hosts',
  CERT_REVOKED: 'it was revoked: the server needs a new certificate',
  ERR_TLS_CERT_ALTNAME_INVALID: 'it does not hold the name we connected to: connect by a name it holds, or set tls.server_name',
};

/** TLS alerts a server sends when it refuses our client certificate (or wants one). */
const CLIENT_CERT_REFUSED = /^ERR_SSL_(TLSV13_ALERT_CERTIFICATE_REQUIRED|SSLV3_ALERT_BAD_CERTIFICATE|TLSV1_ALERT_UNKNOWN_CA|SSLV3_ALERT_CERTIFICATE_UNKNOWN|TLSV1_ALERT_ACCESS_DENIED|SSLV3_ALERT_HANDSHAKE_FAILURE)$/;
/** The peer does not speak TLS (a plain TCP or HTTP port). */
const NOT_TLS = /^ERR_SSL_(WRONG_VERSION_NUMBER|PACKET_LENGTH_TOO_LONG|RECORD_LAYER_FAILURE|UNEXPECTED_EOF_WHILE_READING)$/;

const NETWORK_HINTS: Readonly<Record<string, string>> = {
  ECONNREFUSED: 'nothing listens there: is the syslog server running, and is the port right?',
  ECONNRESET: 'the server reset the connection',
  ETIMEDOUT: 'no answer: check the host, the port and any firewall in between',
  ENOTFOUND: 'the host name does not resolve: check the host in url',
  EAI_AGAIN: 'the host name could not be resolved just now (DNS)',
  EHOSTUNREACH: 'the host cannot be reached: check the network route',
  ENETUNREACH: 'the network cannot be reached: check the network route',
  EPIPE: 'the server closed the connection',
};

/** A failed connect (or TLS handshake) as a DestinationError that names the place and the fix. */
export function describeConnectError(error: unknown, where: string, tlsUsed: boolean): DestinationError {
  const e = error as NodeJS.ErrnoException | null;
  const code = typeof e?.code === 'string' ? e.code : 'ERR_CONNECT';
  const message = typeof e?.message === 'string' ? e.message : String(error);
  const verify = TLS_VERIFY_HINTS[code];
  if (verify) {
    return new DestinationError(code, `${where}: the server's TLS certificate is refused (${message}; ${code}): ${verify}. The destination stops; the others keep running`, { retryable: false, fatal: true });
  }
  if (CLIENT_CERT_REFUSED.test(code)) {
    return new DestinationError(code, `${where}: the server refused the TLS handshake (${code}): it wants a client certificate it trusts; check tls.cert and tls.key. The destination stops; the others keep running`, { retryable: false, fatal: true });
  }
  if (tlsUsed && NOT_TLS.test(code)) {
    return new DestinationError(code, `${where}: the server does not answer in TLS (${code}): is this a plain TCP port? use tcp:// for it; retrying with backoff`, { retryable: true });
  }
  const hint = NETWORK_HINTS[code] ?? 'retrying with backoff';
  return new DestinationError(code, `${where}: cannot connect: ${message} (${code}); ${hint}`, { retryable: true });
}

/**
 * Classifies a failed send. Syslog has no answer to refuse a message with, so nothing is rejected: a
 * certificate problem stops the destination, everything else (refused, reset, timed out, aborted) is
 * retried, since the journal still holds the records and dropping them would lose data.
 */
export function classifySyslogFailure(error: unknown): FailureAction {
  if (error instanceof DestinationError) {
    if (error.fatal) return { action: 'fatal', reason: error.message };
    return { action: 'retry', reason: error.message };
  }
  const e = error as { code?: unknown; name?: unknown; message?: unknown } | null;
  if (typeof e?.code === 'string') {
    if (TLS_VERIFY_HINTS[e.code] || CLIENT_CERT_REFUSED.test(e.code)) return { action: 'fatal', reason: describeConnectError(error, 'syslog', true).message };
    return { action: 'retry', reason: e.code };
  }
  if (e?.name === 'AbortError') return { action: 'retry', reason: 'send aborted' };
  return { action: 'retry', reason: `unexpected error: ${String((error as Error | null)?.message ?? error)}` };
}
