/**
 * PostgreSQL's "data exception" class (SQLSTATE 22xxx): a value it cannot take, such as
 * `2026-02-30` for a timestamptz, an integer out of range, or NUL in text. Validation should
 * refuse such input first; this is the backstop that keeps a gap there a 400, not a 500.
 */
export function isDataError(error: unknown): boolean {
  for (let current = error, depth = 0; current && depth < 5; depth++) {
    const { code, cause } = current as { code?: unknown; cause?: unknown };
    if (typeof code === "string" && /^22[0-9A-Z]{3}$/.test(code)) return true;
    current = cause; // drivers and Drizzle wrap the server's error
  }
  return false;
}

/**
 * A foreign-key violation (SQLSTATE 23503) on a key missing from a table named `users`. The detail
 * names the key only to a role that may read it, so the caller's own id cannot be matched here:
 * handleError checks that the caller's user row is gone before calling it an ended session.
 */
export function isMissingUserError(error: unknown): boolean {
  for (let current = error, depth = 0; current && depth < 5; depth++) {
    const { code, detail, cause } = current as { code?: unknown; detail?: unknown; cause?: unknown };
    if (code === "23503" && typeof detail === "string" && /is not present in table "users"\.?$/.test(detail)) return true;
    current = cause;
  }
  return false;
}
