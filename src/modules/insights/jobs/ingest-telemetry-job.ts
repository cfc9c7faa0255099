import { clockOf } from "../../../platform/identity/identity-settings.ts";
import { defineJob } from "../../../platform/jobs/define-job.ts";
import { asUserJob, lockWatermark, nextBatch, saveRun, userJobPayload } from "./analysis-state.ts";
import { analyzePatternsJob } from "./analyze-patterns-job.ts";
import { analyzePerformanceJob } from "./analyze-performance-job.ts";

/**
 * Seed 002's `ingest-telemetry` edge function, as a job. The HTTP route has already stored the
 * events (committed before its 2xx); this run, debounced to one per user per few minutes, rolls
 * the events after its watermark into hourly counts per app and type (what time-of-day, weekday,
 * streak and suggestion evidence read), then enqueues the two analyses in the same transaction.
 */
export const ingestTelemetryJob = defineJob({
  name: "insights.ingest-telemetry",
  queue: "default",
  payload: userJobPayload,
  async handler({ userId }, { services }) {
    await asUserJob(services.db, userId, "insights.ingest-telemetry", async (tx) => {
      const watermark = await lockWatermark(tx, userId, "ingest");
      const batch = await nextBatch(tx, userId, watermark);
      if (!batch) return;
      await tx.query(
        `INSERT INTO insights.usage_hourly (user_id, hour, app, type, events)
         SELECT user_id, date_trunc('hour', occurred_at, 'UTC'), coalesce(app, ''), type, count(*)
         FROM insights.telemetry_events WHERE user_id = $1 AND seq > $2::bigint AND seq <= $3::bigint
         GROUP BY 1, 2, 3, 4
         ON CONFLICT (user_id, hour, app, type) DO UPDATE SET events = usage_hourly.events + EXCLUDED.events`,
        [userId, watermark, batch.upTo],
      );
      const events = batch.events;
      await saveRun(tx, userId, "ingest", batch.upTo, { events, at: clockOf(services).toISOString() });
      await services.jobs.enqueue(analyzePatternsJob, { userId }, { tx });
      await services.jobs.enqueue(analyzePerformanceJob, { userId }, { tx });
      if (batch.more) await services.jobs.enqueue(ingestTelemetryJob, { userId }, { tx });
    });
  },
});
