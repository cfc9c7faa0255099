import { z } from "@hono/zod-openapi";

/**
 * The one way request schemas write a string field (body, query, path, header): a zod string
 * that refuses the NUL character. PostgreSQL cannot store NUL in `text` or `jsonb`, so a string
 * carrying one would reach the database and fail there as a 500; here it is a 400 naming the
 * field. Chain as usual: `text().min(1).max(200)`, `text().regex(…)`, `text().datetime()`.
 */
export function text() {
  return z.string().refine((value) => !value.includes("\u0000"), { message: "must not contain the NUL character (\\u0000)" });
}

/**
 * Where in already-validated data a string (value or object key) holds NUL, as a path; null
 * when none does. The backstop for fields a schema leaves open (`z.unknown()`, `z.record()`).
 */
export function findNul(value: unknown, path: (string | number)[] = [], depth = 0): (string | number)[] | null {
  if (typeof value === "string") return value.includes("\u0000") ? path : null;
  if (value === null || typeof value !== "object" || depth > 64) return null;
  if (Array.isArray(value)) {
    for (let index = 0; index < value.length; index++) {
      const found = findNul(value[index], [...path, index], depth + 1);
      if (found) return found;
    }
    return null;
  }
  for (const [key, item] of Object.entries(value)) {
    if (key.includes("\u0000")) return [...path, key];
    const found = findNul(item, [...path, key], depth + 1);
    if (found) return found;
  }
  return null;
}
