import { type CursorCodec, cursorCodec } from "../http/keyset-cursor.ts";
import { idPattern } from "../ids.ts";
import type { KeyPosition } from "./list-keys.ts";

const EXACT_TIME = /^(\d{4})-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{6}Z$/;

/** Strict, so a position can never reach SQL as something PostgreSQL rejects: a real instant (1970–9999) and a key id. */
function isPosition(value: unknown): value is KeyPosition {
  const position = value as Partial<KeyPosition> | null;
  if (typeof position !== "object" || position === null) return false;
  if (typeof position.id !== "string" || !idPattern("key").test(position.id)) return false;
  if (typeof position.at !== "string") return false;
  const year = EXACT_TIME.exec(position.at)?.[1];
  if (!year || Number(year) < 1970) return false;
  const millis = `${position.at.slice(0, 23)}Z`;
  const parsed = new Date(millis);
  return !Number.isNaN(parsed.getTime()) && parsed.toISOString() === millis;
}

const codecs = new Map<string, CursorCodec<KeyPosition>>();

/** Signed key-list cursors (see keyset-cursor.ts), one codec per secret. */
export function keyCursor(secret: string): CursorCodec<KeyPosition> {
  let codec = codecs.get(secret);
  if (!codec) {
    codec = cursorCodec(secret, "keys.list", isPosition);
    codecs.set(secret, codec);
  }
  return codec;
}

/** What a cursor is bound to: the listing's filter (all keys, platform-wide only, or one org). */
export const keyListBinding = (orgId: string | null | undefined) => JSON.stringify([orgId === undefined ? "*" : orgId]);
