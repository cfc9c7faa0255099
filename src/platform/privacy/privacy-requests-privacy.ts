import type { PrivacyHandlers } from "../module.ts";

/** The user's own privacy requests (never the bundles themselves: an export does not nest earlier exports). */
export const privacyRequestsPrivacy: PrivacyHandlers = {
  async export(tx, { userId }) {
    return {
      exports: await tx.query(
        "SELECT id, status, requested_at, completed_at, expires_at, bytes FROM backplane.privacy_exports WHERE user_id = $1 ORDER BY requested_at, id",
        [userId],
      ),
      deletions: await tx.query(
        "SELECT id, status, requested_at FROM backplane.privacy_deletions WHERE user_id = $1 ORDER BY requested_at",
        [userId],
      ),
    };
  },
  async erase(tx, { userId }) {
    // Deletion rows lose their user_id with the user row (ON DELETE SET NULL) and keep the pseudonym.
    const rows = await tx.query("DELETE FROM backplane.privacy_exports WHERE user_id = $1 RETURNING 1", [userId]);
    return { exports: rows.length };
  },
};
