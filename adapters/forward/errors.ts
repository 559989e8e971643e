// The errors of the forward destination: one class, a code per way a server or a send can fail.
import { DestinationError } from '../../src/model/errors.ts';

/**
 * Per server: CONNECT (refused, unreachable, DNS, connect timeout), TLS (its certificate failed our check),
 * AUTH (it refused the shared key or the user, or could not prove it holds the key), HANDSHAKE (no or a
 * malformed HELO/PONG), CLOSED (the connection ended before the ack), ACK_TIMEOUT, PROTOCOL (an answer that
 * is not the ack we wait for). Per send, after every server was tried: UNAVAILABLE (none took the batch),
 * REFUSED (every server refused us: a configuration problem that no retry fixes).
 */
export type ForwardErrorCode =
  | 'ERR_FORWARD_CONNECT'
  | 'ERR_FORWARD_TLS'
  | 'ERR_FORWARD_AUTH'
  | 'ERR_FORWARD_HANDSHAKE'
  | 'ERR_FORWARD_CLOSED'
  | 'ERR_FORWARD_ACK_TIMEOUT'
  | 'ERR_FORWARD_PROTOCOL'
  | 'ERR_FORWARD_UNAVAILABLE'
  | 'ERR_FORWARD_REFUSED';

/** Codes that mean the server refused us (or we it) for a reason of configuration, not of the network. */
export const REFUSAL_CODES: ReadonlySet<ForwardErrorCode> = new Set(['ERR_FORWARD_TLS', 'ERR_FORWARD_AUTH', 'ERR_FORWARD_REFUSED']);

export class ForwardError extends DestinationError {
  override name = 'ForwardError';
  declare readonly code: ForwardErrorCode;
  constructor(code: ForwardErrorCode, message: string) {
    const refused = REFUSAL_CODES.has(code);
    super(code, message, { retryable: !refused, fatal: refused });
  }

  /** The server refused us, or failed our TLS check: retrying it will not help until someone reconfigures. */
  get refused(): boolean {
    return REFUSAL_CODES.has(this.code);
  }
}

/**
 * Node's codes for a server certificate that failed verification (OpenSSL X509 errors as Node names them, and
 * the host-name check): the server is reachable, but not the one we trust.
 */
export const TLS_VERIFY_CODES: ReadonlySet<string> = new Set([
  'DEPTH_ZERO_SELF_SIGNED_CERT',
  'SELF_SIGNED_CERT_IN_CHAIN',
  'UNABLE_TO_VERIFY_LEAF_SIGNATURE',
  'UNABLE_TO_GET_ISSUER_CERT',
  'UNABLE_TO_GET_ISSUER_CERT_LOCALLY',
  'CERT_HAS_EXPIRED',
  'CERT_NOT_YET_VALID',
  'CERT_SIGNATURE_FAILURE',
  'CERT_REVOKED',
  'CERT_UNTRUSTED',
  'CERT_REJECTED',
  'INVALID_CA',
  'ERR_TLS_CERT_ALTNAME_INVALID',
]);
