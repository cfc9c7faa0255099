import { z } from "zod";
import type { Sql } from "../../../platform/db/database.ts";
import { defineJob } from "../../../platform/jobs/define-job.ts";
import type { JobQueue } from "../../../platform/module.ts";
import { withTenant } from "../../../platform/tenancy/with-tenant.ts";
import { syncIdSchema } from "../sync/sync-tables.ts";
import { localDate, RATIO_HISTORY_DAYS, reanalyseDay } from "./analyse.ts";
import { completeScheduledWorkout, laterAnalysedDays, loadActivity, releaseWorkoutsElsewhere, userProfile } from "./training-store.ts";

const dayString = z.string().regex(/^\d{4}-\d{2}-\d{2}$/);

export const syncAnalysisPayload = z.object({
  userId: z.string().min(1),
  /** Activities the push created or updated: their load is recomputed. */
  activityIds: z.array(syncIdSchema).max(20_000),
  /** Days whose metrics the push changed. */
  days: z.array(dayString).max(20_000),
  /** Start instants (epoch ms) of activities the push deleted or moved, before the push: those days lose that load. */
  removedStarts: z.array(z.number().int()).max(20_000),
});
export type SyncAnalysisPayload = z.infer<typeof syncAnalysisPayload>;

/**
 * What a push changed, analysed as the pipeline does a vendor's activity: each pushed activity's
 * load (TRIMP, or session RPE × minutes for a manual one without HR), its day's pending workout
 * completed (one it completed on another day, before a move, pending again), and every affected
 * day re-analysed with the analysed days after it. Reads only stored rows, so a retry (or a second
 * job for the same records) writes the same values and stamps nothing new.
 */
export async function analyseSyncedChanges(tx: Sql, payload: SyncAnalysisPayload): Promise<string[]> {
  const { userId } = payload;
  const { timeZone } = await userProfile(tx, userId);
  const days = new Set(payload.days);
  for (const at of payload.removedStarts) days.add(localDate(new Date(at), timeZone));
  for (const id of payload.activityIds) {
    const activity = await loadActivity(tx, userId, id);
    if (!activity) continue; // deleted since the push
    days.add(activity.day);
    await releaseWorkoutsElsewhere(tx, userId, activity.id, activity.day);
    if (activity.type) await completeScheduledWorkout(tx, userId, activity.day, activity.type, activity.id);
  }
  // Each affected day and the analysed days after it (rolling values), each once, in order.
  for (const day of [...days]) for (const later of await laterAnalysedDays(tx, userId, day, RATIO_HISTORY_DAYS)) days.add(later);
  const sorted = [...days].sort();
  for (const day of sorted) await reanalyseDay(tx, userId, day);
  return sorted;
}

export const syncAnalysisJob = defineJob({
  name: "training.sync-analysis",
  queue: "default",
  payload: syncAnalysisPayload,
  retry: { limit: 5, maxDelaySeconds: 300 },
  timeoutSeconds: 300,
  handler: async (payload, { services }) => {
    const tenant = { orgId: null, userId: payload.userId, principal: "job:training.sync-analysis" };
    const days = await withTenant(services.db, tenant, (tx) => analyseSyncedChanges(tx, payload));
    services.log.info({ userId: payload.userId, days: days.length }, "synced changes analysed");
  },
});

/**
 * Queued in the push's transaction: the analysis exists if and only if the push commits. Without
 * a queue (JOBS_ENABLED=false) it runs in the push's transaction instead.
 */
export async function enqueueSyncAnalysis(tx: Sql, jobs: JobQueue, payload: SyncAnalysisPayload): Promise<void> {
  if (payload.activityIds.length + payload.days.length + payload.removedStarts.length === 0) return;
  if (!jobs.enabled) return void (await analyseSyncedChanges(tx, payload));
  await jobs.enqueue(syncAnalysisJob, payload, { tx });
}
