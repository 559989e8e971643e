// Which failures of a forward send are worth retrying: a pure function of the error; the pipeline owns the backoff.
import { DestinationError } from '../../src/model/errors.ts';
import type { FailureAction } from '../../src/pipeline/destination.ts';
import { ForwardError, type ForwardErrorCode } from './errors.ts';

/**
 * What each code means for the batch. A send tries every server before it throws, so what reaches the runner is
 * UNAVAILABLE (retry: a server may come back; the pipeline detaches this destination if none does) or REFUSED
 * (every server refused the shared key, the credentials or our TLS check: stop, and say so). The per-server codes
 * are classified the same way for a single server. Nothing is `reject`: no answer of a forward server says that
 * a batch is refused for good.
 */
export const FORWARD_ACTIONS: Readonly<Record<ForwardErrorCode, 'retry' | 'fatal'>> = {
  ERR_FORWARD_CONNECT: 'retry',
  ERR_FORWARD_TLS: 'fatal',
  ERR_FORWARD_AUTH: 'fatal',
  ERR_FORWARD_HANDSHAKE: 'retry',
  ERR_FORWARD_CLOSED: 'retry',
  ERR_FORWARD_ACK_TIMEOUT: 'retry',
  ERR_FORWARD_PROTOCOL: 'retry',
  ERR_FORWARD_UNAVAILABLE: 'retry',
  ERR_FORWARD_REFUSED: 'fatal',
};

export function classifyForwardFailure(error: unknown): FailureAction {
  if (error instanceof ForwardError) {
    const action = FORWARD_ACTIONS[error.code] ?? 'retry';
    return action === 'fatal' ? { action, reason: error.message } : { action, reason: error.code };
  }
  if (error instanceof DestinationError) {
    if (error.fatal) return { action: 'fatal', reason: error.message };
    return { action: 'retry', reason: error.code };
  }
  // Socket errors (ECONNRESET...), aborts and anything unexpected: the journal still holds the records.
  const e = error as { code?: unknown; name?: unknown } | null;
  if (typeof e?.code === 'string') return { action: 'retry', reason: e.code };
  if (e?.name === 'AbortError') return { action: 'retry', reason: 'request aborted' };
  return { action: 'retry', reason: `unexpected error: ${String((error as Error | null)?.name ?? error)}` };
}
