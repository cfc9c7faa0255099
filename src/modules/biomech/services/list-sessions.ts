import type { Sql } from "../../../platform/db/database.ts";
import { prepared } from "../../../platform/db/statement-names.ts";
import { timesAsText } from "../../../platform/db/text-times.ts";
import type { Session } from "../schemas.ts";
import { type SessionRow, sessionColumns, toSession } from "./session-row.ts";

/** Where a page ended: the last row's sort key. */
export interface SessionPosition {
  capturedAt: string;
  id: string;
}

export interface ListSessionsInput {
  orgId: string;
  athleteId?: string;
  limit: number;
  after?: SessionPosition;
}

// Four fixed statements rather than optional predicates ("$2 IS NULL OR …"): each one
// matches one index exactly, so the planner never has to guess.
const order = "ORDER BY captured_at DESC, id DESC";
// Prepared (statement-names.ts): the hot read of docs/benchmarks.md.
const statements = {
  org: timesAsText(
    prepared(`SELECT ${sessionColumns} FROM biomech.sessions
        WHERE org_id = $1 ${order} LIMIT $2`),
  ),
  orgAfter: timesAsText(
    prepared(`SELECT ${sessionColumns} FROM biomech.sessions
        WHERE org_id = $1 AND (captured_at, id) < ($3::timestamptz, $4::text) ${order} LIMIT $2`),
  ),
  athlete: timesAsText(
    prepared(`SELECT ${sessionColumns} FROM biomech.sessions
        WHERE org_id = $1 AND athlete_id = $3 ${order} LIMIT $2`),
  ),
  athleteAfter: timesAsText(
    prepared(`SELECT ${sessionColumns} FROM biomech.sessions
        WHERE org_id = $1 AND athlete_id = $3 AND (captured_at, id) < ($4::timestamptz, $5::text) ${order} LIMIT $2`),
  ),
};

/**
 * One page of an org's sessions, newest first, ties broken by id (so the order is total and
 * a page seam can never split or repeat rows). Keyset, not OFFSET: rows inserted while a
 * client pages sort before its position (newer) or are simply met later, so nothing that
 * existed when paging began is skipped or shown twice, and page 500 costs what page 1 does.
 */
export async function listSessions(db: Sql, input: ListSessionsInput): Promise<{ sessions: Session[]; next: SessionPosition | null }> {
  const { orgId, athleteId, after } = input;
  const fetch = input.limit + 1; // one extra row tells whether another page exists
  const rows = await (athleteId
    ? after
      ? db.query<SessionRow>(statements.athleteAfter, [orgId, fetch, athleteId, after.capturedAt, after.id])
      : db.query<SessionRow>(statements.athlete, [orgId, fetch, athleteId])
    : after
      ? db.query<SessionRow>(statements.orgAfter, [orgId, fetch, after.capturedAt, after.id])
      : db.query<SessionRow>(statements.org, [orgId, fetch]));
  const page = rows.slice(0, input.limit).map(toSession);
  const last = page.at(-1);
  const next = rows.length > input.limit && last ? { capturedAt: last.capturedAt, id: last.id } : null;
  return { sessions: page, next };
}
