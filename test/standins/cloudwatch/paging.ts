// Page tokens of the stand-in's read operations: opaque to clients, bound to the request they continue.
import { createHash } from 'node:crypto';
import { ServiceFault } from './rules.ts';

/**
 * What a token holds: the position after (or before) which the next page starts, as a sort key, and a
 * fingerprint of the request's other parameters. A key, not an index, so that events stored meanwhile do not
 * shift pages: an event stored behind the position is simply not in this pagination (as with the service,
 * whose results are sorted by event time, so a late event with an older time lands behind the reader).
 */
export interface TokenState {
  key: Array<string | number>;
  /** Descending pagination (FilterLogEvents with startFromHead false). */
  desc?: boolean;
}

/** The request's parameters that a continuation must repeat unchanged (everything but the token and limit). */
export function fingerprint(operation: string, body: Record<string, unknown>): string {
  const { nextToken: _t, limit: _l, startFromHead: _h, ...rest } = body;
  const sorted = Object.keys(rest)
    .sort()
    .map((k) => [k, rest[k]]);
  return createHash('sha256').update(operation).update(JSON.stringify(sorted)).digest('base64url').slice(0, 16);
}

export function encodeToken(operation: string, body: Record<string, unknown>, state: TokenState): string {
  return Buffer.from(JSON.stringify({ q: fingerprint(operation, body), ...state })).toString('base64url');
}

/** The state of `body.nextToken`, or undefined without one; InvalidParameterException for a foreign or altered token. */
export function decodeToken(operation: string, body: Record<string, unknown>): TokenState | undefined {
  const token = body.nextToken;
  if (token === undefined || token === null) return undefined;
  if (typeof token !== 'string' || token.length === 0) {
    throw new ServiceFault('InvalidParameterException', `1 validation error detected: Value '${String(token)}' at 'nextToken' failed to satisfy constraint: Member must have length greater than or equal to 1`);
  }
  let state: (TokenState & { q?: unknown }) | undefined;
  try {
    state = JSON.parse(Buffer.from(token, 'base64url').toString('utf8')) as TokenState & { q?: unknown };
  } catch {
    state = undefined;
  }
  if (!state || !Array.isArray(state.key)) throw new ServiceFault('InvalidParameterException', 'The specified nextToken is invalid.');
  // The stand-in's own wording: the service refuses a token used with other parameters, in words not published.
  if (state.q !== fingerprint(operation, body)) {
    throw new ServiceFault('InvalidParameterException', 'The specified nextToken was issued for a request with other parameters; repeat the same parameters with it.');
  }
  return { key: state.key, ...(state.desc ? { desc: true } : {}) };
}

/** Compares two sort keys element by element (numbers numerically, strings by code unit, as ASCII sorting does). */
export function compareKeys(a: ReadonlyArray<string | number>, b: ReadonlyArray<string | number>): number {
  for (let i = 0; i < Math.max(a.length, b.length); i++) {
    const x = a[i];
    const y = b[i];
    if (x === y) continue;
    if (x === undefined) return -1;
    if (y === undefined) return 1;
    return x < y ? -1 : 1;
  }
  return 0;
}
