// Reads a 207 (partial success) reply of the ingest API: which lines were refused for good, which may be resent.
import { statusRule } from '../http/failure.ts';
import { LOGDNA_STATUS } from './retry.ts';

export interface PartialOutcome {
  /** Lines refused for good, by index in the request, with the server's reason. */
  rejected: Array<{ index: number; reason: string }>;
  /** Lines refused for now (429, 5xx): indexes in the request, to be sent again. */
  retry: number[];
}

interface LineResult {
  index?: unknown;
  status?: unknown;
  error?: unknown;
  message?: unknown;
}

/**
 * The per-line results of a 207 reply, or undefined when the body says nothing usable. Mezmo's public reference
 * does not document this body; we read the shapes per-line APIs use: an array of results under `errors`,
 * `lines`, `results` or at the top level, each with an `index` (else its position, when there is one result
 * per line), a `status`, and an `error` or `message`. Results with a 2xx status (or no status and no error)
 * are accepted lines.
 */
export function readPartial(body: string, lineCount: number): PartialOutcome | undefined {
  let parsed: unknown;
  try {
    parsed = JSON.parse(body);
  } catch {
    return undefined;
  }
  const object = parsed as Record<string, unknown> | null;
  const list = Array.isArray(parsed) ? parsed : [object?.errors, object?.lines, object?.results].find(Array.isArray);
  if (!Array.isArray(list)) return undefined;
  const positional = list.length === lineCount;
  const outcome: PartialOutcome = { rejected: [], retry: [] };
  for (let i = 0; i < list.length; i++) {
    const r = (list[i] ?? {}) as LineResult;
    const index = typeof r.index === 'number' && Number.isInteger(r.index) ? r.index : positional ? i : -1;
    if (index < 0 || index >= lineCount) continue;
    const status = typeof r.status === 'number' ? r.status : undefined;
    const text = typeof r.error === 'string' ? r.error : typeof r.message === 'string' ? r.message : undefined;
    if (status === undefined ? text === undefined : status >= 200 && status <= 299) continue;
    const effective = status ?? 400;
    if (statusRule(effective, LOGDNA_STATUS).action === 'retry') outcome.retry.push(index);
    else outcome.rejected.push({ index, reason: `line refused by Mezmo (HTTP ${effective}${text ? `: ${text.slice(0, 200)}` : ''})` });
  }
  return outcome;
}
