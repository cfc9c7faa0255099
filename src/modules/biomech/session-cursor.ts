import { cursorCodec } from "../../platform/http/keyset-cursor.ts";
import type { SessionPosition } from "./services/list-sessions.ts";

const isPosition = (value: unknown): value is SessionPosition => {
  const position = value as Partial<SessionPosition> | null;
  return (
    typeof position === "object" &&
    position !== null &&
    typeof position.capturedAt === "string" &&
    !Number.isNaN(Date.parse(position.capturedAt)) &&
    typeof position.id === "string" &&
    position.id.length <= 100
  );
};

export const sessionCursor = (secret: string) => cursorCodec(secret, "biomech.sessions", isPosition);

/**
 * What a cursor is bound to: the filters, not the page size (a client may change `limit`
 * between pages). JSON keeps the parts unambiguous whatever characters the ids hold.
 */
export const sessionQueryBinding = (orgId: string, athleteId: string | undefined) => JSON.stringify([orgId, athleteId ?? null]);
