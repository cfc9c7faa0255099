import { deleteExpiredAuditEvents } from "../audit/list-audit-events.ts";
import { deleteExpiredIdempotencyKeys } from "../idempotency/idempotency-store.ts";
import { deleteEndedSessions, deleteOldSignInCodes } from "../identity/identity-privacy.ts";
import type { Cleanup } from "../module.ts";
import { asService } from "../tenancy/with-tenant.ts";
import { deleteOldWebhookEvents } from "../webhooks/webhook-events.ts";

/** The platform's retention work, run by the daily cleanup with every module's (docs/privacy.md). */
export const platformCleanups: Cleanup[] = [
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
    // Batches of its own, one transaction each: a year's backlog never holds one long lock.
    name: "platform.audit-events",
    run: async ({ db, now, config }) => ({ events: await deleteExpiredAuditEvents(db, config.AUDIT_RETENTION_DAYS, now) }),
  },
];
