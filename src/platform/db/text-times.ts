import pg from "pg";

/**
 * Statements whose `timestamptz` columns come back as PostgreSQL's text instead of a `Date`. A
 * route that answers ISO strings anyway then skips a regex parse into a Date and a format back
 * out for every value (`isoTime`): on the biomech list, 26 rows a page, that was ~1.5 µs a row.
 * Opt-in by statement text, like `prepared()`, for module-level statements whose every reader
 * goes through `isoTime`. PostgreSQL only; PGlite answers Dates, which `isoTime` takes as well.
 */
const marked = new Set<string>();

const TIMESTAMPTZ = 1184;
const parseTimestamptz = pg.types.getTypeParser(TIMESTAMPTZ, "text") as (text: string) => Date | number | null;

/** pg type parsers for a marked statement: text for timestamptz, pg's defaults for the rest. */
export const textTimeTypes = {
  getTypeParser: (oid: number, format?: "text" | "binary") =>
    oid === TIMESTAMPTZ && format !== "binary" ? (text: string) => text : pg.types.getTypeParser(oid, format ?? "text"),
};

/** Marks `text` to answer its timestamptz columns as text and returns it unchanged. */
export function timesAsText(text: string): string {
  marked.add(text);
  return text;
}

export function answersTimesAsText(text: string): boolean {
  return marked.has(text);
}

// PostgreSQL's output for a UTC session (DateStyle ISO): `2026-03-14 09:26:53.589+00`, the
// fraction without trailing zeros (0–6 digits).
const utcText = /^(\d{4}-\d{2}-\d{2}) (\d{2}:\d{2}:\d{2})(?:\.(\d{1,6}))?\+00$/;

/**
 * A timestamptz as `Date#toISOString` writes it (milliseconds, truncated like a Date truncates
 * microseconds), from a Date or PostgreSQL's text. Text in any other zone or form (BC, five-digit
 * years) goes through pg's own parser, so the answer is the same either way.
 */
export function isoTime(value: Date | string): string {
  if (typeof value !== "string") return value.toISOString();
  const match = utcText.exec(value);
  if (!match) {
    const parsed = parseTimestamptz(value);
    return new Date(parsed === null ? value : parsed).toISOString();
  }
  const fraction = match[3] ?? "";
  return `${match[1]}T${match[2]}.${fraction.length >= 3 ? fraction.slice(0, 3) : fraction.padEnd(3, "0")}Z`;
}
