import { recordAuditEvent } from "../audit/record-audit-event.ts";
import type { Sql } from "../db/database.ts";
import type { SupabaseClaims } from "./supabase-token.ts";
import { findOrCreateUser, orgIdsOf, toUser, type User, type UserRow, userColumns } from "./users.ts";

const userColumnsOfU = userColumns
  .split(", ")
  .map((column) => `u.${column}`)
  .join(", ");

/** last_seen_at is refreshed at most this often (it feeds the active-users metric, not security). */
const TOUCH_SECONDS = 3600;

/**
 * The platform user behind a verified Supabase token: the one linked to its (issuer, sub), or on
 * first sight the user with its email (created if none), linked from then on. Service context:
 * this is authentication, before anyone is known.
 */
export async function userForSupabase(
  tx: Sql,
  claims: SupabaseClaims,
  input: { now: Date; requestId: string | null; clientIp: string | null },
): Promise<{ user: User; orgIds: string[] }> {
  const [linked] = await tx.query<UserRow & { stale: boolean }>(
    `SELECT ${userColumnsOfU}, e.last_seen_at < $3::timestamptz - make_interval(secs => $4) AS stale
     FROM backplane.external_identities e JOIN backplane.users u ON u.id = e.user_id
     WHERE e.provider = 'supabase' AND e.issuer = $1 AND e.subject = $2`,
    [claims.issuer, claims.subject, input.now, TOUCH_SECONDS],
  );
  if (linked) {
    if (linked.stale) {
      await tx.query(
        "UPDATE backplane.external_identities SET last_seen_at = $3 WHERE provider = 'supabase' AND issuer = $1 AND subject = $2",
        [claims.issuer, claims.subject, input.now],
      );
    }
    return { user: toUser(linked), orgIds: await orgIdsOf(tx, linked.id) };
  }
  const { user, created } = await findOrCreateUser(tx, claims.email);
  const inserted = await tx.query(
    `INSERT INTO backplane.external_identities (provider, issuer, subject, user_id, created_at, last_seen_at)
     VALUES ('supabase', $1, $2, $3, $4, $4) ON CONFLICT DO NOTHING RETURNING 1`,
    [claims.issuer, claims.subject, user.id, input.now],
  );
  if (inserted.length === 0) {
    // A concurrent first request linked it: use that link (it names the same email's user).
    return userForSupabase(tx, claims, input);
  }
  const source = { actor: { type: "user" as const, id: user.id }, requestId: input.requestId, clientIp: input.clientIp };
  if (created) await recordAuditEvent(tx, { ...source, orgId: null, action: "user.created", target: { type: "user", id: user.id } });
  await recordAuditEvent(tx, {
    ...source,
    orgId: null,
    action: "user.identity_linked",
    target: { type: "user", id: user.id },
    metadata: { provider: "supabase", issuer: claims.issuer, subject: claims.subject },
  });
  return { user, orgIds: await orgIdsOf(tx, user.id) };
}
