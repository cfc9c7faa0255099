import type { Cleanup, PrivacyHandlers } from "../../platform/module.ts";
import { asService } from "../../platform/tenancy/with-tenant.ts";
import { deleteOldWebVitals } from "./services/web-vitals.ts";

/** The user's draft and published rules. Web vitals are anonymous (no user column): nothing to export. */
export const communityPrivacy: PrivacyHandlers = {
  async export(tx, { userId }) {
    const [draft] = await tx.query("SELECT payload, created_at, updated_at FROM community.drafts WHERE user_id = $1", [userId]);
    return {
      draft: draft ?? null,
      rules: await tx.query(
        "SELECT id, title, summary, document, created_at, updated_at FROM community.rules WHERE user_id = $1 ORDER BY created_at, id",
        [userId],
      ),
    };
  },
  async erase(tx, { userId }) {
    const drafts = await tx.query("DELETE FROM community.drafts WHERE user_id = $1 RETURNING 1", [userId]);
    const rules = await tx.query("DELETE FROM community.rules WHERE user_id = $1 RETURNING 1", [userId]);
    return { drafts: drafts.length, rules: rules.length };
  },
};

export const communityCleanups: Cleanup[] = [
  {
    name: "community.web-vitals",
    run: async ({ db, now, config }) => ({
      measurements: await asService(db, "cleanup: web vitals", (tx) => deleteOldWebVitals(tx, config.WEB_VITALS_RETENTION_DAYS, now)),
    }),
  },
];
