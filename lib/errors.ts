// One error type with a stable code: the API serialises it, the CLI maps it to an exit status.
export type ErrorCode =
  | 'INVALID_ARGUMENT' // bad spec or request: fix the input
  | 'NOT_FOUND'
  | 'ALREADY_EXISTS'
  | 'CONFLICT' // the object is in a state that forbids the operation
  | 'EXHAUSTED' // no free pod IP
  | 'COMMAND_FAILED' // an external program failed
  | 'UNAVAILABLE' // the daemon cannot be reached
  | 'INTERNAL';

const httpStatus: Record<ErrorCode, number> = {
  INVALID_ARGUMENT: 400,
  NOT_FOUND: 404,
  ALREADY_EXISTS: 409,
  CONFLICT: 409,
  EXHAUSTED: 507,
  COMMAND_FAILED: 500,
  UNAVAILABLE: 503,
  INTERNAL: 500,
};

export class MinipodError extends Error {
  override name = 'MinipodError';
  /** Failures of cleanup that ran after this error; they never replace it. */
  readonly cleanupErrors: Error[] = [];

  constructor(
    readonly code: ErrorCode,
    message: string,
    options?: { cause?: unknown; details?: string[]; status?: number },
  ) {
    super(message, options?.cause === undefined ? undefined : { cause: options.cause });
    this.details = options?.details ?? [];
    this.statusOverride = options?.status;
  }

  readonly details: string[];
  /** An HTTP status more precise than the code's (405, 408, 413, 431): the code stays INVALID_ARGUMENT. */
  private readonly statusOverride: number | undefined;

  get status(): number {
    return this.statusOverride ?? httpStatus[this.code];
  }

  toJSON() {
    return {
      code: this.code,
      message: this.message,
      ...(this.details.length ? { details: this.details } : {}),
      ...(this.cleanupErrors.length ? { cleanupErrors: this.cleanupErrors.map((e) => e.message) } : {}),
    };
  }
}

/** Any thrown value as a MinipodError, keeping its code when it has one. */
export function asMinipodError(err: unknown, code: ErrorCode = 'INTERNAL'): MinipodError {
  if (err instanceof MinipodError) return err;
  const message = err instanceof Error ? err.message : String(err);
  return new MinipodError(code, message, { cause: err });
}
