// Error classes of journal-fanout: each names the input, the place and the fix, and never holds a secret.

/** A configuration file or option is invalid. `path` is the key path, e.g. `destinations[1].region`. */
export class ConfigError extends Error {
  override name = 'ConfigError';
  readonly code = 'ERR_CONFIG';
  readonly file: string | undefined;
  readonly issues: string[];
  constructor(issues: string[], file?: string) {
    super(`${file ? `${file}: ` : ''}${issues.length === 1 ? issues[0] : `${issues.length} problems:\n  ${issues.join('\n  ')}`}`);
    this.file = file;
    this.issues = issues;
  }
}

/** The journal could not be read as asked (journalctl or libsystemd failed, export data malformed, cursor gone). */
export class JournalError extends Error {
  override name = 'JournalError';
  readonly code: string;
  constructor(code: string, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.code = code;
  }
}

/**
 * A destination refused or failed a request. `retryable` says whether the same request may succeed later;
 * `fatal` says the destination cannot work at all (bad credentials) and must stop until reconfigured.
 */
export class DestinationError extends Error {
  override name = 'DestinationError';
  readonly code: string;
  readonly retryable: boolean;
  readonly fatal: boolean;
  /** Server-requested delay before a retry (e.g. from Retry-After), in ms. */
  readonly retryAfterMs: number | undefined;
  constructor(
    code: string,
    message: string,
    options: { retryable: boolean; fatal?: boolean; retryAfterMs?: number; cause?: unknown },
  ) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.code = code;
    this.retryable = options.retryable;
    this.fatal = options.fatal ?? false;
    this.retryAfterMs = options.retryAfterMs;
  }
}
