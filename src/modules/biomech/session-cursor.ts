import { cursorCodec, isCursorTime } from "../../platform/http/keyset-cursor.ts";
import { idPattern } from "../../platform/ids.ts";
import type { SessionPosition } from "./services/list-sessions.ts";

const sessionId = idPattern("ses");

/** Strict: a millisecond UTC time PostgreSQL reads back unchanged, and a session id's shape. */
const isPosition = (value: unknown): value is SessionPosition => {
  const position = value as Partial<SessionPosition> | null;
  return (
    typeof position === "object" &&
    position !== null &&
    isCursorTime(position.capturedAt, 3) &&
    typeof position.id === "string" &&
    sessionId.test(position.id)
  );
};

export const sessionCursor = (secret: string) => cursorCodec(secret, "biomech.sessions", isPosition);

/**
 * What a cursor is bound to: the filters, not the page size (a client may change `limit`
 * between pages). JSON keeps the parts unambiguous whatever characters the ids hold.
 */
export const sessionQueryBinding = (orgId: string, athleteId: string | undefined) => JSON.stringify([orgId, athleteId ?? null]);
