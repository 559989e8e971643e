// Sends one batch to the Mezmo (LogDNA) ingest API: POST {endpoint}/logs/ingest?hostname=&now=&tags= with {"lines":[...]}.
import { DestinationError } from '../../src/model/errors.ts';
import type { Logger } from '../../src/selflog/logger.ts';
import type { SendResult } from '../../src/pipeline/destination.ts';
import { HttpClient, type HttpReply } from '../http/client.ts';
import type { RequestContext } from '../http/failure.ts';
import type { LineBatch } from '../http/line-batch.ts';
import { postChecked } from '../http/post.ts';
import { readPartial } from './partial.ts';
import { LOGDNA_STATUS } from './retry.ts';


/**
 * Rounds of resending only the lines a 207 reply refused for now. After that the whole batch is retried by the
 * pipeline (lines already accepted may then arrive twice: at least once, never lost).
 */
export const MAX_PARTIAL_ROUNDS = 3;

export interface LogdnaServiceOptions {
  destination: string;
  endpoint: string;
  key: string;
  gzip: boolean;
  timeoutMs: number;
  maxSockets: number;
  logger: Logger;
}

export class LogdnaService {
  readonly #o: LogdnaServiceOptions;
  readonly #url: string;
  readonly #authorization: string;
  readonly #client: HttpClient;

  constructor(options: LogdnaServiceOptions) {
    this.#o = options;
    this.#url = `${options.endpoint.replace(/\/+$/, '')}/logs/ingest`;
    // The ingestion key is the basic-auth user, with no password (Mezmo API reference, "Authentication").
    this.#authorization = `Basic ${Buffer.from(`${options.key}:`).toString('base64')}`;
    this.#client = new HttpClient({ timeoutMs: options.timeoutMs, maxSockets: options.maxSockets });
  }

  #query(host: string, tags: string): string {
    const q = new URLSearchParams({ hostname: host, now: String(Date.now()) });
    if (tags) q.set('tags', tags);
    return q.toString();
  }

  #context(host: string, tags: string, what: string): RequestContext {
    const shown = new URLSearchParams({ hostname: host });
    if (tags) shown.set('tags', tags);
    return { destination: this.#o.destination, request: `POST ${this.#url}?${shown} (${what})`, secret: this.#o.key, table: LOGDNA_STATUS };
  }

  #post(host: string, tags: string, body: string | Buffer, context: RequestContext, signal?: AbortSignal): Promise<HttpReply> {
    const headers = { 'content-type': 'application/json; charset=UTF-8', authorization: this.#authorization };
    return postChecked(this.#client, `${this.#url}?${this.#query(host, tags)}`, body, headers, { gzip: this.#o.gzip, context, signal });
  }

  /**
   * Send one batch of lines (JSON texts). A 207 reply is read per line: lines refused for good are returned as
   * rejected, lines refused for now are sent again (only them), up to MAX_PARTIAL_ROUNDS rounds.
   */
  async send(host: string, tags: string, lines: LineBatch, signal?: AbortSignal): Promise<SendResult> {
    const reasons = new Map<string, number>();
    /** Indexes of the lines to send this round; undefined: all of them. */
    let pending: number[] | undefined;
    let count = lines.length;
    for (let round = 0; round < MAX_PARTIAL_ROUNDS; round++) {
      const what = `${count} lines${round > 0 ? `, resending lines refused for now (round ${round + 1})` : ''}`;
      const body = lines.body('{"lines":[', ',', ']}', pending);
      const reply = await this.#post(host, tags, body, this.#context(host, tags, what), signal);
      if (reply.status !== 207) return toResult(reasons);
      const outcome = readPartial(reply.body, count);
      if (!outcome) {
        // Which lines failed is unknown: counting them accepted avoids resending the good ones forever.
        this.#o.logger.warn({ destination: this.#o.destination, lines: count }, 'Mezmo answered 207 (partial success) without per-line results; the batch is counted as accepted');
        return toResult(reasons);
      }
      for (const r of outcome.rejected) reasons.set(r.reason, (reasons.get(r.reason) ?? 0) + 1);
      if (outcome.retry.length === 0) return toResult(reasons);
      const previous = pending;
      pending = outcome.retry.map((i) => (previous === undefined ? i : previous[i]!));
      count = pending.length;
    }
    throw new DestinationError(
      'PARTIAL_RETRY',
      `${this.#o.destination}: Mezmo still refused ${count} of ${lines.length} lines for now after ${MAX_PARTIAL_ROUNDS} rounds; the batch will be sent again`,
      { retryable: true },
    );
  }

  /** Start-up check: an ingest request with no lines, which proves the endpoint answers and accepts the key. */
  async healthcheck(host: string, signal?: AbortSignal): Promise<void> {
    await this.#post(host, '', '{"lines":[]}', this.#context(host, '', 'start-up healthcheck, no lines'), signal);
  }

  close(): void {
    this.#client.close();
  }
}

function toResult(reasons: Map<string, number>): SendResult {
  return { rejected: [...reasons].map(([reason, count]) => ({ count, reason })) };
}
