import { deleteOldAdminSessions } from "../admin/admin-sessions.ts";
import { deleteExpiredAuditEvents } from "../audit/list-audit-events.ts";
import { deleteExpiredIdempotencyKeys } from "../idempotency/idempotency-store.ts";
import { deleteEndedSessions, deleteOldSignInCodes } from "../identity/identity-privacy.ts";
import type { Cleanup } from "../module.ts";
import { asService } from "../tenancy/with-tenant.ts";
import { deleteOldWebhookEvents } from "../webhooks/webhook-events.ts";

/** The platform's retention work, run by the daily cleanup with every module's (docs/privacy.md). */
export const platformCleanups: Cleanup[] = [
  {
    name: "platform.admin-sessions",
    run: async ({ db, now }) => ({ sessions: await asService(db, "cleanup: admin sessions", (tx) => deleteOldAdminSessions(tx, now)) }),
  },
  {
    name: "platform.sessions",
    run: async ({ db, now }) => ({ sessions: await asService(db, "cleanup: sessions", (tx) => deleteEndedSessions(tx, now)) }),
  },
  {
    name: "platform.sign-in-codes",
    run: async ({ db, now }) => ({ codes: await asService(db, "cleanup: sign-in codes", (tx) => deleteOldSignInCodes(tx, now)) }),
  },
  {
    name: "platform.idempotency-keys",
    run: async ({ db, now }) => ({ keys: await asService(db, "cleanup: idempotency keys", (tx) => deleteExpiredIdempotencyKeys(tx, now)) }),
  },
  {
    name: "platform.webhook-events",
    run: async ({ db, now, config }) => ({
      events: await asService(db, "cleanup: webhook events", (tx) => deleteOldWebhookEvents(tx, config.WEBHOOK_RETENTION_DAYS, now)),
    }),
  },
  {
    // Built exports past their 24 hours; failed ones after a day; a pending one a week old is stuck.
    name: "platform.privacy-exports",
    run: async ({ db, now }) => ({
      exports: await asService(db, "cleanup: privacy exports", async (tx) => {
        const rows = await tx.query(
          `DELETE FROM backplane.privacy_exports
           WHERE expires_at <= $1 OR (status = 'failed' AND completed_at < $1::timestamptz - interval '1 day')
              OR (status = 'pending' AND requested_at < $1::timestamptz - interval '7 days')
           RETURNING 1`,
          [now],
        );
        return rows.length;
      }),
    }),
  },
  {
    name: "platform.cron-ticks",
    run: async ({ db, now }) => ({
      ticks: await asService(db, "cleanup: cron ticks", async (tx) => {
        const rows = await tx.query("DELETE FROM backplane.cron_ticks WHERE tick < $1::timestamptz - interval '90 days' RETURNING 1", [
          now,
        ]);
        return rows.length;
      }),
    }),
  },
  {
    name: "platform.metric-snapshots",
    run: async ({ db, now, config }) => ({
      snapshots: await asService(db, "cleanup: metric snapshots", async (tx) => {
        const rows = await tx.query(
          "DELETE FROM backplane.metric_snapshots WHERE tick < $1::timestamptz - make_interval(days => $2) RETURNING 1",
          [now, config.METRICS_RETENTION_DAYS],
        );
        return rows.length;
      }),
    }),
  },
  {
    // Batches of its own, one transaction each: a year's backlog never holds one long lock.
    name: "platform.audit-events",
    run: async ({ db, now, config }) => ({ events: await deleteExpiredAuditEvents(db, config.AUDIT_RETENTION_DAYS, now) }),
  },
];
