// What CloudWatch Logs refuses, written from the API reference independently of the adapter (tests compare the two).

export const MAX_EVENTS = 10_000;
export const MAX_BATCH_BYTES = 1_048_576;
export const EVENT_OVERHEAD = 26;
export const MAX_EVENT_BYTES = 1_048_576;
export const MAX_SPAN_MS = 24 * 3_600_000;
export const TOO_NEW_MS = 2 * 3_600_000;
export const TOO_OLD_MS = 14 * 86_400_000;
export const RETENTION_VALUES = [1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1096, 1827, 2192, 2557, 2922, 3288, 3653];

/** An error as the service answers it: `__type`, message and HTTP status. */
export class ServiceFault extends Error {
  readonly type: string;
  readonly status: number;
  constructor(type: string, message: string, status = 400) {
    super(message);
    this.type = type;
    this.status = status;
  }
}

/** Smithy constraint failures come back as InvalidParameterException with this wording. */
export function validationError(problems: string[]): ServiceFault {
  const n = problems.length;
  return new ServiceFault('InvalidParameterException', `${n} validation error${n === 1 ? '' : 's'} detected: ${problems.join('; ')}`);
}

function preview(value: unknown): string {
  const text = typeof value === 'string' ? value : JSON.stringify(value);
  return text.length > 64 ? `${text.slice(0, 64)}...` : text;
}

export function checkLength(problems: string[], value: unknown, at: string, min: number, max: number): void {
  const length = typeof value === 'string' || Array.isArray(value) ? value.length : -1;
  if (length < 0) {
    problems.push(`Value null at '${at}' failed to satisfy constraint: Member must not be null`);
    return;
  }
  if (length < min) problems.push(`Value '${preview(value)}' at '${at}' failed to satisfy constraint: Member must have length greater than or equal to ${min}`);
  if (length > max) problems.push(`Value '${preview(value)}' at '${at}' failed to satisfy constraint: Member must have length less than or equal to ${max}`);
}

export function checkGroupName(problems: string[], name: unknown, at = 'logGroupName'): void {
  checkLength(problems, name, at, 1, 512);
  if (typeof name === 'string' && !/^[.\-_/#A-Za-z0-9]+$/.test(name)) {
    problems.push(`Value '${preview(name)}' at '${at}' failed to satisfy constraint: Member must satisfy regular expression pattern: [\\.\\-_/#A-Za-z0-9]+`);
  }
}

export function checkStreamName(problems: string[], name: unknown, at = 'logStreamName'): void {
  checkLength(problems, name, at, 1, 512);
  if (typeof name === 'string' && /[:*]/.test(name)) {
    problems.push(`Value '${preview(name)}' at '${at}' failed to satisfy constraint: Member must satisfy regular expression pattern: [^:*]*`);
  }
}

/** An integer parameter within [min, max], in the service's wording for a value out of range. */
export function checkRange(problems: string[], value: unknown, at: string, min: number, max: number): void {
  if (value === undefined || value === null) return;
  if (typeof value !== 'number' || !Number.isInteger(value)) {
    problems.push(`Value '${String(value)}' at '${at}' failed to satisfy constraint: Member must be an integer`);
    return;
  }
  if (value < min) problems.push(`Value '${value}' at '${at}' failed to satisfy constraint: Member must have value greater than or equal to ${min}`);
  if (value > max) problems.push(`Value '${value}' at '${at}' failed to satisfy constraint: Member must have value less than or equal to ${max}`);
}
