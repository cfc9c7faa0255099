import type { TRPCError } from "@trpc/server";
import type { TRPC_ERROR_CODE_KEY } from "@trpc/server/rpc";
import type { ZodError } from "zod";
import { isConnectionError } from "../../../platform/db/connection-errors.ts";
import { isDataError } from "../../../platform/db/data-errors.ts";
import { AppError } from "../../../platform/http/errors.ts";
import { validationError } from "../../../platform/http/validation-error.ts";

/** tRPC's code for each HTTP status the platform answers with. */
const trpcCodeByStatus: Record<number, TRPC_ERROR_CODE_KEY> = {
  400: "BAD_REQUEST",
  401: "UNAUTHORIZED",
  403: "FORBIDDEN",
  404: "NOT_FOUND",
  405: "METHOD_NOT_SUPPORTED",
  409: "CONFLICT",
  413: "PAYLOAD_TOO_LARGE",
  415: "UNSUPPORTED_MEDIA_TYPE",
  422: "UNPROCESSABLE_CONTENT",
  429: "TOO_MANY_REQUESTS",
  500: "INTERNAL_SERVER_ERROR",
  503: "SERVICE_UNAVAILABLE",
};

export function trpcCodeOf(status: number): TRPC_ERROR_CODE_KEY {
  return trpcCodeByStatus[status] ?? (status >= 500 ? "INTERNAL_SERVER_ERROR" : "BAD_REQUEST");
}

/** The platform code tRPC's own errors stand for (no AppError behind them: routing, parsing). */
const platformCodeByTrpcCode: Partial<Record<TRPC_ERROR_CODE_KEY, AppError["code"]>> = {
  PARSE_ERROR: "invalid_json",
  BAD_REQUEST: "bad_request",
  NOT_FOUND: "not_found",
  METHOD_NOT_SUPPORTED: "method_not_allowed",
  PAYLOAD_TOO_LARGE: "payload_too_large",
  UNSUPPORTED_MEDIA_TYPE: "unsupported_media_type",
  UNAUTHORIZED: "unauthorized",
  FORBIDDEN: "forbidden",
  CONFLICT: "conflict",
  TOO_MANY_REQUESTS: "rate_limited",
};

function isZodError(value: unknown): value is ZodError {
  return value instanceof Error && Array.isArray((value as { issues?: unknown }).issues);
}

/**
 * The platform error behind a tRPC error: the AppError a procedure threw, a 400 for input that
 * failed its schema (same details as the REST routes), a 503 for a database outage, or one
 * built from tRPC's own code. Everything else is an internal error.
 */
export function appErrorOf(error: TRPCError): AppError {
  const cause = error.cause;
  if (cause instanceof AppError) return cause;
  if (isZodError(cause) && error.code === "BAD_REQUEST") return validationError(cause, "input");
  if (isConnectionError(cause))
    return new AppError("database_unavailable", "The database is unavailable; retry shortly", { headers: { "Retry-After": "5" } });
  if (isDataError(cause)) return new AppError("bad_request", "A value in the request is not valid here (out of range or malformed)");
  const code = platformCodeByTrpcCode[error.code];
  if (code) return new AppError(code, error.message);
  return new AppError("internal_error", "Internal server error", { cause: error });
}
