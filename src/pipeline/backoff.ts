// Retry delays: exponential with full jitter (AWS architecture blog "Exponential Backoff And Jitter").

export interface BackoffOptions {
  initialMs: number;
  maxMs: number;
}

export const DEFAULT_BACKOFF: BackoffOptions = { initialMs: 200, maxMs: 30_000 };

/** Delay before retry number `attempt` (1 = first retry); a server's Retry-After wins when given (capped). */
export function backoffDelay(attempt: number, options: BackoffOptions = DEFAULT_BACKOFF, retryAfterMs?: number, random = Math.random): number {
  if (retryAfterMs !== undefined && retryAfterMs >= 0) return Math.min(retryAfterMs, options.maxMs * 4);
  const ceiling = Math.min(options.maxMs, options.initialMs * 2 ** Math.min(attempt - 1, 30));
  return Math.round(ceiling / 2 + random() * (ceiling / 2));
}
