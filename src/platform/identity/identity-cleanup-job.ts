import { z } from "zod";
import { defineCron, defineJob } from "../jobs/define-job.ts";
import { asService } from "../tenancy/with-tenant.ts";
import { deleteEndedSessions, deleteOldSignInCodes } from "./identity-privacy.ts";

/** Daily: ended sessions and old sign-in codes (see deleteEndedSessions). */
export const identityCleanupJob = defineJob({
  name: "platform.identity-cleanup",
  queue: "bulk",
  payload: z.null().or(z.object({}).strict()).optional(),
  async handler(_payload, { services }) {
    const now = new Date();
    const [sessions, codes] = await asService(services.db, "identity: cleanup", async (tx) => [
      await deleteEndedSessions(tx, now),
      await deleteOldSignInCodes(tx, now),
    ]);
    if (sessions + codes > 0) services.log.info({ sessions, codes }, "identity cleanup");
  },
});

export const identityCleanupCron = defineCron({ name: "platform.identity-cleanup", cron: "41 3 * * *", job: identityCleanupJob.name });
