// How the HTTP destinations turn replies and transport failures into DestinationErrors, and classify them (pure).
import { DestinationError } from '../../src/model/errors.ts';
import type { FailureAction } from '../../src/pipeline/destination.ts';
import type { HttpReply } from './client.ts';

/** What a provider says one status means, and what the operator should do about it. */
export interface StatusRule {
  action: 'retry' | 'reject' | 'fatal';
  /** The fix, in the error message: "check the token (destinations[].token)". */
  hint: string;
}
/** A provider's status codes. Unlisted: 408, 429 and 5xx retry; other 4xx reject the batch. */
export type StatusTable = Readonly<Record<number, StatusRule>>;

/** A reply with a status that is not success. `status` is what classify() reads. */
export class HttpStatusError extends DestinationError {
  override name = 'HttpStatusError';
  readonly status: number;
  constructor(status: number, message: string, options: { retryable: boolean; fatal: boolean; retryAfterMs?: number }) {
    super(`HTTP_${status}`, message, options);
    this.status = status;
  }
}

export function statusRule(status: number, table: StatusTable): StatusRule {
  const rule = table[status];
  if (rule) return rule;
  if (status === 408 || status === 429 || status >= 500) return { action: 'retry', hint: 'retrying with backoff' };
  return { action: 'reject', hint: 'the batch is refused for good (counted and acknowledged)' };
}

/** Retry-After in ms: delay-seconds or an HTTP-date (RFC 9110 section 10.2.3); undefined when absent or unreadable. */
export function parseRetryAfter(value: string | string[] | undefined, now = Date.now()): number | undefined {
  const text = (Array.isArray(value) ? value[0] : value)?.trim();
  if (!text) return undefined;
  if (/^\d+$/.test(text)) return Number(text) * 1000;
  // Every HTTP-date form starts with the day name; this keeps Date.parse from reading "-1" as a year.
  if (!/^[A-Za-z]/.test(text)) return undefined;
  const at = Date.parse(text);
  if (Number.isNaN(at)) return undefined;
  return Math.max(0, at - now);
}

/** Replace every occurrence of the secret (raw and URL-encoded) with "***". */
export function maskSecret(text: string, secret: string): string {
  if (!secret) return text;
  let out = text.split(secret).join('***');
  const encoded = encodeURIComponent(secret);
  if (encoded !== secret) out = out.split(encoded).join('***');
  return out;
}

/** Where a failed request was going, for messages: never holds the secret. */
export interface RequestContext {
  /** The destination id, e.g. "loggly". */
  destination: string;
  /** What was sent where, secret-free, e.g. "POST https://logs-01.loggly.com/bulk/***\/tag/web/ (120 events)". */
  request: string;
  /** The secret to mask in anything the server echoed back. */
  secret: string;
  table: StatusTable;
}

const BODY_EXCERPT_CHARS = 200;

export function replyError(reply: HttpReply, context: RequestContext): HttpStatusError {
  const rule = statusRule(reply.status, context.table);
  const excerpt = maskSecret(reply.body.slice(0, BODY_EXCERPT_CHARS).replace(/\s+/g, ' ').trim(), context.secret);
  const retryAfterMs = rule.action === 'retry' ? parseRetryAfter(reply.headers['retry-after']) : undefined;
  return new HttpStatusError(
    reply.status,
    `${context.destination}: ${context.request} answered HTTP ${reply.status}${excerpt ? ` "${excerpt}"` : ''}; ${rule.hint}`,
    { retryable: rule.action === 'retry', fatal: rule.action === 'fatal', ...(retryAfterMs === undefined ? {} : { retryAfterMs }) },
  );
}

/**
 * A transport failure (refused, reset, timeout, DNS, abort) as a retryable DestinationError. The original error
 * is not attached as `cause`: got's errors hold the request options, URL included, and a URL may hold a token.
 */
export function transportError(error: unknown, context: RequestContext): DestinationError {
  const e = error as { code?: unknown; name?: unknown; message?: unknown } | null;
  const code = typeof e?.code === 'string' ? e.code : e?.name === 'AbortError' ? 'ABORT_ERR' : 'ERR_TRANSPORT';
  const message = maskSecret(typeof e?.message === 'string' ? e.message : String(error), context.secret);
  return new DestinationError(code, `${context.destination}: ${context.request} failed: ${message} (${code}); retrying with backoff`, { retryable: true });
}

/**
 * Which failures are worth retrying: a pure function of the error. HTTP statuses follow the provider's table;
 * other DestinationErrors keep their own verdict; transport errors (a `code` such as ECONNRESET), aborts and
 * anything unexpected are retried, since the journal still holds the records and dropping them would lose data.
 */
export function classifyHttpFailure(error: unknown, table: StatusTable): FailureAction {
  if (error instanceof HttpStatusError) {
    const rule = statusRule(error.status, table);
    if (rule.action === 'retry') return { action: 'retry', reason: `HTTP ${error.status}`, ...(error.retryAfterMs === undefined ? {} : { retryAfterMs: error.retryAfterMs }) };
    return { action: rule.action, reason: error.message };
  }
  if (error instanceof DestinationError) {
    if (error.fatal) return { action: 'fatal', reason: error.message };
    if (!error.retryable) return { action: 'reject', reason: error.message };
    return { action: 'retry', reason: error.code, ...(error.retryAfterMs === undefined ? {} : { retryAfterMs: error.retryAfterMs }) };
  }
  const e = error as { code?: unknown; name?: unknown } | null;
  if (typeof e?.code === 'string') return { action: 'retry', reason: e.code };
  if (e?.name === 'AbortError') return { action: 'retry', reason: 'request aborted' };
  return { action: 'retry', reason: `unexpected error: ${String((error as Error | null)?.name ?? error)}` };
}
