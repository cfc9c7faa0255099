import type { PrivacyHandlers } from "../module.ts";

// The user's rows: what they did (actor), what was done to their account (target), and any row
// whose metadata names them. strpos, not LIKE: `_` in an id is a LIKE wildcard.
const aboutUser = `(actor_type = 'user' AND actor_id = $1) OR target_id = $1 OR strpos(metadata::text, $1) > 0`;

/**
 * The audit trail about a user. Audit rows are immutable (no UPDATE, whoever asks), so erasing
 * cannot rewrite them in place: the user's rows are deleted, and the delete job then writes the
 * one pseudonymous `privacy.user_erased` row that records the erasure (src/platform/privacy).
 */
export const auditPrivacy: PrivacyHandlers = {
  async export(tx, { userId }) {
    return {
      events: await tx.query(
        `SELECT id, org_id, actor_type, actor_id, action, target_type, target_id, request_id, host(client_ip) AS client_ip, occurred_at, metadata
         FROM backplane.audit_events WHERE ${aboutUser} ORDER BY seq`,
        [userId],
      ),
    };
  },
  async erase(tx, { userId }) {
    const rows = await tx.query(`DELETE FROM backplane.audit_events WHERE ${aboutUser} RETURNING 1`, [userId]);
    return { events: rows.length };
  },
};
