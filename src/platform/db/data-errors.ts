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
