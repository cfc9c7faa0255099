import type { Sql } from "../../../platform/db/database.ts";
import { prepared } from "../../../platform/db/statement-names.ts";
import { timesAsText } from "../../../platform/db/text-times.ts";
import type { Session } from "../schemas.ts";
import { type SessionRow, sessionColumns, toSession } from "./session-row.ts";

const byId = timesAsText(prepared(`SELECT ${sessionColumns} FROM biomech.sessions WHERE id = $1 AND org_id = $2`));

/** The session if it exists *in this org*; null otherwise (callers answer both with the same 404). */
export async function getSession(db: Sql, input: { orgId: string; sessionId: string }): Promise<Session | null> {
  const rows = await db.query<SessionRow>(byId, [input.sessionId, input.orgId]);
  return rows[0] ? toSession(rows[0]) : null;
}
