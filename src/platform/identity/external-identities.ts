import { recordAuditEvent } from "../audit/record-audit-event.ts";
import type { Sql } from "../db/database.ts";
import { AppError } from "../http/errors.ts";
import type { SupabaseClaims } from "./supabase-token.ts";
import { findOrCreateUser, orgIdsOf, toUser, type User, type UserRow, userColumns } from "./users.ts";

const userColumnsOfU = userColumns
  .split(", ")
  .map((column) => `u.${column}`)
  .join(", ");

/** last_seen_at is refreshed at most this often (it feeds the active-users metric, not security). */
const TOUCH_SECONDS = 3600;

/**
 * Whether the user holds rights worth taking over: platform admin, or owner/admin of an org.
 */
async function isPrivileged(tx: Sql, user: User): Promise<boolean> {
  if (user.role === "admin") return true;
  const rows = await tx.query("SELECT 1 FROM backplane.org_members WHERE user_id = $1 AND role IN ('owner', 'admin') LIMIT 1", [user.id]);
  return rows.length > 0;
}

/**
 * The platform user behind a verified Supabase token: the one linked to its (issuer, sub), or on
 * first sight the user with its email (created if none), linked from then on. Service context:
 * this is authentication, before anyone is known.
 *
 * A Supabase token carries no claim that its email was confirmed (a project with "Confirm email"
 * off issues sessions for any address typed in). Linking to an existing platform admin or org
 * owner/admin by email is therefore refused unless `linkPrivileged` (SUPABASE_LINK_PRIVILEGED_BY_EMAIL).
 */
export async function userForSupabase(
  tx: Sql,
  claims: SupabaseClaims,
  input: { now: Date; requestId: string | null; clientIp: string | null; linkPrivileged: boolean },
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
  if (!created && !input.linkPrivileged && (await isPrivileged(tx, user))) {
    throw new AppError(
      "unauthorized",
      "This Supabase account's email belongs to a Backplane admin or org owner/admin, whom Supabase sign-in does not link by email (SUPABASE_LINK_PRIVILEGED_BY_EMAIL)",
      { details: { reason: "supabase_link_refused" } },
    );
  }
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
