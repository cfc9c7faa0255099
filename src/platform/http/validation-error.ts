import type { ZodError } from "zod";
import { AppError } from "./errors.ts";

/** At most this many issues are listed: a body of 100,000 bad items must not answer megabytes. */
export const MAX_LISTED_ISSUES = 20;

export interface FieldIssue {
  field: string;
  message: string;
}

/**
 * The 400 for a request that failed its schema: `details` lists the first issues by field, and
 * the message names the first and, when some were left out, how many there were in all.
 */
export function validationError(error: ZodError, target: string): AppError {
  const total = error.issues.length;
  // Only the listed issues are formatted; the rest are just counted.
  const details: FieldIssue[] = error.issues.slice(0, MAX_LISTED_ISSUES).map((issue) => ({
    field: [target, ...issue.path.map(String)].join("."),
    message: issue.message,
  }));
  const first = details[0];
  if (!first) return new AppError("validation_failed", "Invalid request");
  const more = total > details.length ? ` (${total} issues in all; the first ${details.length} are listed)` : "";
  return new AppError("validation_failed", `${first.field}: ${first.message}${more}`, { details });
}

/** The 400 for a NUL found in validated data by `findNul` (see text.ts). */
export function nulError(target: string, path: (string | number)[]): AppError {
  const field = [target, ...path.map(String)].join(".");
  const message = "must not contain the NUL character (\\u0000)";
  return new AppError("validation_failed", `${field}: ${message}`, { details: [{ field, message }] });
}
