// Coded errors shared by every layer. The HTTP error handler (src/plugins/errors.ts) is the one
// place that turns them into responses: the code is stable, the status follows from it.

export const ERROR_STATUS = {
  VALIDATION_FAILED: 400,
  BAD_REQUEST: 400,
  UNAUTHENTICATED: 401,
  FORBIDDEN: 403,
  NOT_FOUND: 404,
  REQUEST_TIMEOUT: 408,
  CONFLICT: 409,
  IDEMPOTENCY_KEY_REUSED: 409,
  /** Something that was handed out once (scratch PINs) and is not kept any more. */
  GONE: 410,
  PAYLOAD_TOO_LARGE: 413,
  URI_TOO_LONG: 414,
  UNSUPPORTED_MEDIA_TYPE: 415,
  UNPROCESSABLE: 422,
  RATE_LIMITED: 429,
  HEADERS_TOO_LARGE: 431,
  INTERNAL: 500,
  NOT_READY: 503,
  /** Too many verifications in flight: retry after the Retry-After header's seconds. */
  BUSY: 503,
} as const;

export type ErrorCode = keyof typeof ERROR_STATUS;

export class AppError extends Error {
  readonly code: ErrorCode;
  readonly statusCode: number;
  /** The request field that was wrong, as a JSON pointer-ish path ("body.records[3].kind"). */
  readonly field: string | undefined;

  constructor(code: ErrorCode, message: string, options: { field?: string; cause?: unknown } = {}) {
    super(message, { cause: options.cause });
    this.name = "AppError";
    this.code = code;
    this.statusCode = ERROR_STATUS[code];
    this.field = options.field;
  }
}

export const notFound = (what: string, field?: string) =>
  new AppError("NOT_FOUND", `${what} not found`, field === undefined ? {} : { field });

export const invalid = (field: string, message: string) =>
  new AppError("VALIDATION_FAILED", `${field} ${message}`, { field });

/** Raised at start-up for a bad environment variable; the message names the variable only. */
export class ConfigError extends Error {
  readonly variable: string;
  constructor(variable: string, problem: string) {
    super(`${variable} ${problem}`);
    this.name = "ConfigError";
    this.variable = variable;
  }
}
