const DAY_MS = 86_400_000;

/** The first instant of a window of `days` UTC days that ends today (today included). */
export function windowStart(now: Date, days: number): Date {
  const today = Date.UTC(now.getUTCFullYear(), now.getUTCMonth(), now.getUTCDate());
  return new Date(today - (days - 1) * DAY_MS);
}

/** YYYY-MM-DD (UTC) of a date or timestamp as the database returns it. */
export function utcDay(value: Date | string): string {
  return typeof value === "string" && /^\d{4}-\d{2}-\d{2}$/.test(value) ? value : new Date(value).toISOString().slice(0, 10);
}
