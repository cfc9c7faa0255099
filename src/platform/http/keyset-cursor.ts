import { createHmac, timingSafeEqual } from "node:crypto";
import { subkey } from "../auth/key-digest.ts";
import { AppError } from "./errors.ts";

/**
 * Opaque, tamper-evident keyset cursors: base64url(JSON position) + "." + a truncated
 * HMAC over the position *and the query it belongs to*. A cursor that was edited, or that
 * comes from another query (another org, another filter), fails the check and gets a 400,
 * so a cursor can never be used to walk data the query would not return.
 */
const TAG_BYTES = 16;

export interface CursorCodec<Position> {
  encode(position: Position, boundTo: string): string;
  /** The position, or a 400 `validation_failed` on `query.cursor`. */
  decode(cursor: string, boundTo: string): Position;
}

export function cursorCodec<Position>(
  secret: string,
  name: string,
  isPosition: (value: unknown) => value is Position,
): CursorCodec<Position> {
  const key = subkey(secret, `cursor:${name}`);
  const tag = (payload: string, boundTo: string) =>
    createHmac("sha256", key).update(boundTo).update("\u0000").update(payload).digest().subarray(0, TAG_BYTES);
  const invalid = () =>
    new AppError("validation_failed", "query.cursor: the cursor is invalid or was issued for a different query", {
      details: [{ field: "query.cursor", message: "invalid or issued for a different query; start again without a cursor" }],
    });

  return {
    encode(position, boundTo) {
      const payload = Buffer.from(JSON.stringify(position)).toString("base64url");
      return `${payload}.${tag(payload, boundTo).toString("base64url")}`;
    },
    decode(cursor, boundTo) {
      const [payload, given, extra] = cursor.split(".");
      if (!payload || !given || extra !== undefined) throw invalid();
      const expected = tag(payload, boundTo);
      const presented = Buffer.from(given, "base64url");
      if (presented.length !== expected.length || !timingSafeEqual(presented, expected)) throw invalid();
      let position: unknown;
      try {
        position = JSON.parse(Buffer.from(payload, "base64url").toString("utf8"));
      } catch {
        throw invalid();
      }
      if (!isPosition(position)) throw invalid();
      return position;
    },
  };
}

const cursorTimes = {
  3: /^(\d{4})-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/,
  6: /^(\d{4})-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{6}Z$/,
} as const;

/**
 * True for a UTC timestamp exactly as the encoder writes it (`2026-03-14T09:26:53.589Z`, or six
 * fraction digits) naming a real instant in 1970–9999 that PostgreSQL reads back unchanged. A
 * cursor's position is checked this strictly even though it is signed: `Date.parse` accepts
 * "1", "2026-02-30" and year 275760, which PostgreSQL rejects (a 500 before this check).
 */
export function isCursorTime(value: unknown, fractionDigits: 3 | 6 = 3): value is string {
  if (typeof value !== "string") return false;
  const year = cursorTimes[fractionDigits].exec(value)?.[1];
  if (!year || Number(year) < 1970) return false;
  // Round-tripping the millisecond part through Date catches 2026-02-30 and 25:00.
  const millis = `${value.slice(0, 23)}Z`;
  const parsed = new Date(millis);
  return !Number.isNaN(parsed.getTime()) && parsed.toISOString() === millis;
}

/** What a cursor looks like, for the OpenAPI examples of every paged route. */
export const cursorExample =
  "eyJhdCI6IjIwMjYtMTEtMjJUMDk6MTU6MDAuMDAwWiIsImlkIjoid2ZfMG00azhyMnQ2eTF1M2k1bzdwOWEifQ.MDEyMzQ1Njc4OWFiY2RlZg";
