/**
 * Telling "the database cannot be reached" apart from "this statement failed": the first is
 * an outage (say so, back off, retry later), the second is a bug or bad input.
 */

// Socket-level failures (node:net, DNS) and the ones node-postgres reports as plain messages.
const networkCodes = new Set(["ECONNREFUSED", "ECONNRESET", "ENOTFOUND", "EAI_AGAIN", "ETIMEDOUT", "EHOSTUNREACH", "ENETUNREACH", "EPIPE"]);
const networkMessages =
  /Connection terminated|timeout exceeded when trying to connect|Client has encountered a connection error|connection is not opened|Connection ended|server closed the connection/i;

/** True when `error` means the database is unreachable (down, restarting, cut off), not that a statement failed. */
export function isConnectionError(error: unknown): boolean {
  for (let current = error, depth = 0; current && depth < 5; depth++) {
    const { code, message, cause } = current as { code?: unknown; message?: unknown; cause?: unknown };
    if (typeof code === "string") {
      if (networkCodes.has(code)) return true;
      // SQLSTATE class 08 (connection exception) and 57P01–57P03 (admin shutdown, crash, cannot connect now).
      if (/^08/.test(code) || /^57P0[1-3]$/.test(code)) return true;
    }
    if (typeof message === "string" && networkMessages.test(message)) return true;
    if (current instanceof AggregateError) return current.errors.some(isConnectionError);
    current = cause;
  }
  return false;
}

/** A connection string fit for a log or an error message: the password is dropped. */
export function withoutPassword(url: string): string {
  try {
    const parsed = new URL(url);
    parsed.password = "";
    return parsed.toString();
  } catch {
    return "(unparseable connection string)";
  }
}

/** Startup could not connect to the database: names it, where it is, and which variable points there. */
export class DatabaseUnreachableError extends Error {
  override name = "DatabaseUnreachableError";
  constructor(where: { url: string; variable: string }, cause: unknown) {
    const reason = cause instanceof Error ? cause.message || (cause as { code?: string }).code || cause.name : String(cause);
    super(`cannot connect to the database at ${withoutPassword(where.url)} (set by ${where.variable}): ${reason}`, { cause });
  }
}
