import { z } from "zod";
import { defineCron, defineJob } from "../jobs/define-job.ts";
import { asService } from "../tenancy/with-tenant.ts";

/**
 * Daily: deletes sessions a day past their end (idle or absolute expiry, or revoked: kept a day
 * so a replayed refresh token still meets its revoked family and is told so) and sign-in codes
 * older than a day. Expired rows are never accepted meanwhile; this only keeps the tables small.
 */
export const identityCleanupJob = defineJob({
  name: "platform.identity-cleanup",
  queue: "bulk",
  payload: z.null().or(z.object({}).strict()).optional(),
  async handler(_payload, { services }) {
    const [sessions, codes] = await asService(services.db, "identity: cleanup", async (tx) => [
      await tx.query(
        `DELETE FROM backplane.sessions WHERE least(expires_at, absolute_expires_at, coalesce(revoked_at, 'infinity')) < now() - interval '1 day' RETURNING id`,
      ),
      await tx.query("DELETE FROM backplane.otp_challenges WHERE created_at < now() - interval '1 day' RETURNING id"),
    ]);
    if (sessions.length + codes.length > 0) services.log.info({ sessions: sessions.length, codes: codes.length }, "identity cleanup");
  },
});

export const identityCleanupCron = defineCron({ name: "platform.identity-cleanup", cron: "41 3 * * *", job: identityCleanupJob.name });
