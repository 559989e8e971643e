// CloudWatch's clock, estimated from the Date header of its answers: following reads "the last N seconds" as
// the service counts them, whatever this machine's clock says.
import type { CloudWatchLogsClient } from '@aws-sdk/client-cloudwatch-logs';

/** How far the estimate may be off: the Date header has whole seconds, and the answer took its time to come. */
export const SERVER_CLOCK_ERROR_MS = 2000;

export class ServerClock {
  #offsetMs = 0;

  /** Records the Date header (RFC 7231, whole seconds) of an answer received at `localMs`. */
  observe(dateHeader: string | undefined, localMs = Date.now()): void {
    if (!dateHeader) return;
    const sent = Date.parse(dateHeader);
    // The middle of the second the header names.
    if (Number.isFinite(sent)) this.#offsetMs = sent + 500 - localMs;
  }

  /** The service's time now (this machine's clock when no answer has come yet). */
  now(localMs = Date.now()): number {
    return localMs + this.#offsetMs;
  }

  get offsetMs(): number {
    return this.#offsetMs;
  }
}

/** Has `client` report the Date header of every answer to `clock`. */
export function watchServerClock(client: CloudWatchLogsClient, clock: ServerClock): void {
  client.middlewareStack.add(
    (next) => async (args) => {
      const result = await next(args);
      const headers = (result.response as { headers?: Record<string, string | undefined> } | undefined)?.headers;
      clock.observe(headers?.date ?? headers?.Date);
      return result;
    },
    { step: 'deserialize', name: 'journalFanoutServerClock' },
  );
}
