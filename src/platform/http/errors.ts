import { z } from "@hono/zod-openapi";

/** The closed set of error codes. Add here; never invent a code inline. */
export const errorCodes = {
  validation_failed: 400,
  invalid_json: 400,
  bad_request: 400,
  idempotency_key_required: 400,
  idempotency_key_invalid: 400,
  unauthorized: 401,
  otp_invalid: 401,
  otp_expired: 401,
  otp_attempts_exceeded: 401,
  forbidden: 403,
  not_found: 404,
  method_not_allowed: 405,
  conflict: 409,
  idempotency_in_flight: 409,
  key_limit_reached: 409,
  payload_too_large: 413,
  unsupported_media_type: 415,
  idempotency_key_reused: 422,
  rate_limited: 429,
  internal_error: 500,
  service_unavailable: 503,
  database_unavailable: 503,
} as const;

export type ErrorCode = keyof typeof errorCodes;

/** The one error type routes and services throw; formatted in one place (`onError`). */
export class AppError extends Error {
  override name = "AppError";
  readonly code: ErrorCode;
  readonly status: (typeof errorCodes)[ErrorCode];
  readonly details: unknown;
  readonly headers: Record<string, string>;

  constructor(code: ErrorCode, message: string, options: { details?: unknown; headers?: Record<string, string>; cause?: unknown } = {}) {
    // A 4xx is an answer, not a fault: skip the stack trace, which is most of an Error's cost
    // (and a flood of bad requests should stay cheap). 5xx keep theirs for the log.
    const stackLimit = Error.stackTraceLimit;
    if (errorCodes[code] < 500) Error.stackTraceLimit = 0;
    super(message, { cause: options.cause });
    Error.stackTraceLimit = stackLimit;
    this.code = code;
    this.status = errorCodes[code];
    this.details = options.details;
    this.headers = options.headers ?? {};
  }
}

export const errorEnvelopeSchema = z
  .object({
    error: z.object({
      code: z.enum(Object.keys(errorCodes) as [ErrorCode, ...ErrorCode[]]).openapi({ example: "validation_failed" }),
      message: z.string().openapi({ example: "limit: Too big: expected number to be <=100" }),
      requestId: z.string().openapi({ example: "01JD7Y2W3X4Z5A6B7C8D9E0F1G" }),
    }),
    details: z.unknown().optional().openapi({ description: "Extra facts, e.g. validation issues by field" }),
  })
  .openapi("Error");

export type ErrorEnvelope = z.infer<typeof errorEnvelopeSchema>;

export function errorEnvelope(code: ErrorCode, message: string, requestId: string, details?: unknown): ErrorEnvelope {
  return details === undefined ? { error: { code, message, requestId } } : { error: { code, message, requestId }, details };
}
