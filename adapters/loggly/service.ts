// Sends one batch to Loggly's bulk endpoint: POST {endpoint}/bulk/{token}/tag/{tags}/ with newline-separated JSON events.
import { HttpClient } from '../http/client.ts';
import type { RequestContext } from '../http/failure.ts';
import type { LineBatch } from '../http/line-batch.ts';
import { postChecked } from '../http/post.ts';
import { LOGGLY_STATUS } from './retry.ts';


export interface LogglyServiceOptions {
  destination: string;
  endpoint: string;
  token: string;
  gzip: boolean;
  timeoutMs: number;
  maxSockets: number;
}

export class LogglyService {
  readonly #o: LogglyServiceOptions;
  readonly #base: string;
  readonly #client: HttpClient;

  constructor(options: LogglyServiceOptions) {
    this.#o = options;
    this.#base = options.endpoint.replace(/\/+$/, '');
    this.#client = new HttpClient({ timeoutMs: options.timeoutMs, maxSockets: options.maxSockets });
  }

  /** The bulk URL for a tag set ("" for none). Holds the token: never log it; use #describe(). */
  #url(tags: string): string {
    const token = encodeURIComponent(this.#o.token);
    return tags ? `${this.#base}/bulk/${token}/tag/${tags}/` : `${this.#base}/bulk/${token}/`;
  }

  #context(tags: string, what: string): RequestContext {
    const path = tags ? `/bulk/***/tag/${tags}/` : '/bulk/***/';
    return { destination: this.#o.destination, request: `POST ${this.#base}${path} (${what})`, secret: this.#o.token, table: LOGGLY_STATUS };
  }

  async #post(tags: string, body: string | Buffer, context: RequestContext, signal?: AbortSignal): Promise<void> {
    await postChecked(this.#client, this.#url(tags), body, { 'content-type': 'text/plain; charset=utf-8' }, { gzip: this.#o.gzip, context, signal });
  }

  /** Send one batch of events (each already ends with "\n"). Throws HttpStatusError or DestinationError. */
  async send(tags: string, events: LineBatch, signal?: AbortSignal): Promise<void> {
    const body = events.body('', '', '');
    await this.#post(tags, body, this.#context(tags, `${events.length} events, ${body.length} bytes`), signal);
  }

  /** Start-up check: an empty bulk request, which proves the endpoint answers and does not refuse the token. */
  async healthcheck(signal?: AbortSignal): Promise<void> {
    await this.#post('', '', this.#context('', 'start-up healthcheck, empty body'), signal);
  }

  close(): void {
    this.#client.close();
  }
}
