import type { Context, ErrorHandler } from "hono";
import { HTTPException } from "hono/http-exception";
import { isConnectionError } from "../db/connection-errors.ts";
import { isDataError, isMissingUserError } from "../db/data-errors.ts";
import { asService } from "../tenancy/with-tenant.ts";
import type { AppEnv } from "./app-env.ts";
import { AppError, errorEnvelope } from "./errors.ts";

function fromHttpException(error: HTTPException): AppError {
  const status = error.status;
  if (status === 413) return new AppError("payload_too_large", "Request body is too large");
  if (status === 400 && /json/i.test(error.message)) return new AppError("invalid_json", "Request body is not valid JSON");
  if (status === 401) return new AppError("unauthorized", error.message || "Unauthorized");
  if (status === 403) return new AppError("forbidden", error.message || "Forbidden");
  if (status === 404) return new AppError("not_found", error.message || "Not found");
  if (status === 415) return new AppError("unsupported_media_type", error.message || "Unsupported media type");
  if (status >= 400 && status < 500) return new AppError("bad_request", error.message || "Bad request");
  return new AppError("internal_error", "Internal server error", { cause: error });
}

/** Seconds a client should wait before retrying while the database is unreachable. */
export const DATABASE_RETRY_AFTER_SECONDS = 5;

/** Errors that are not ours but have a known meaning for the caller. */
function fromForeignError(error: unknown, c: Context<AppEnv>): AppError | null {
  if (isConnectionError(error)) {
    // An outage, not a bug: one warning line per request, without a stack; the request can be
    // retried, and the pool reconnects by itself when the database returns.
    const reason = (error as { code?: string; message?: string }).code ?? (error as Error).message;
    c.get("log")?.warn({ reason }, "database unavailable: answered 503");
    return new AppError("database_unavailable", "The database is unavailable; retry shortly", {
      headers: { "Retry-After": String(DATABASE_RETRY_AFTER_SECONDS) },
    });
  }
  if (isDataError(error)) {
    // Validation let through a value PostgreSQL rejects: the request is at fault, but the gap
    // should be closed, so it is logged (as a warning) with the database's message.
    c.get("log")?.warn({ err: error }, "database rejected a value from the request (validation gap)");
    return new AppError("bad_request", "A value in the request is not valid here (out of range or malformed)");
  }
  return null;
}

/**
 * A signed-in user's write failed its foreign key to backplane.users and their user row is gone:
 * they were erased while the request ran (the erasure holds the user row, so the write waited for
 * it, then found no user). For them the session has ended: a 401, as for the next request.
 */
async function callerErased(error: unknown, c: Context<AppEnv>): Promise<AppError | null> {
  const principal = c.get("principal");
  if (principal?.kind !== "user" || !isMissingUserError(error)) return null;
  const db = c.get("services")?.db;
  if (!db) return null;
  const present = await asService(db, "error: was the caller erased?", (tx) =>
    tx.query("SELECT 1 FROM backplane.users WHERE id = $1", [principal.id]),
  ).catch(() => [null]);
  if (present.length > 0) return null;
  return new AppError("unauthorized", "The session has ended or is not recognized; sign in again", {
    details: { reason: "session_invalid" },
  });
}

/** The one place errors become responses: every 4xx/5xx leaves in the same envelope. */
export const handleError: ErrorHandler<AppEnv> = async (error, c: Context<AppEnv>) => {
  const requestId = c.get("requestId") ?? "unknown";
  const appError =
    error instanceof AppError
      ? error
      : error instanceof HTTPException
        ? fromHttpException(error)
        : (fromForeignError(error, c) ?? (await callerErased(error, c)));
  // A 503 (a dependency down) is logged where it was seen, once, not as a fault with a stack.
  if (!appError || (appError.status >= 500 && appError.status !== 503)) {
    c.get("log")?.error({ err: error }, "unhandled error");
  }
  const final = appError ?? new AppError("internal_error", "Internal server error");
  // 5xx bodies never carry internals; the log line above has them under the same request id.
  const message = final.status >= 500 && final.code === "internal_error" ? "Internal server error" : final.message;
  for (const [name, value] of Object.entries(final.headers)) c.header(name, value);
  return c.json(errorEnvelope(final.code, message, requestId, final.code === "internal_error" ? undefined : final.details), final.status);
};
