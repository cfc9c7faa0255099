import type { Sql } from "../../../platform/db/database.ts";
import { clockOf } from "../../../platform/identity/identity-settings.ts";
import { defineJob } from "../../../platform/jobs/define-job.ts";
import { patternFindings } from "../analysis/findings.ts";
import { countSequences, type SequenceEvent } from "../analysis/sequences.ts";
import { ANALYSIS_WINDOW_DAYS, SESSION_GAP_MINUTES } from "../analysis/settings.ts";
import { replaceFindings } from "../services/insight-rows.ts";
import { readPatterns } from "../services/patterns.ts";
import { asUserJob, lockWatermark, nextBatch, saveRun, userJobPayload } from "./analysis-state.ts";
import { generateSuggestionsJob } from "./generate-suggestions-job.ts";

const gapMs = SESSION_GAP_MINUTES * 60_000;

/** Counts the sequences the new events complete, with the session's earlier events as context. */
async function addSequences(tx: Sql, userId: string, watermark: string, upTo: string): Promise<number> {
  const fresh = await tx.query<{ type: string; occurred_at: Date | string }>(
    `SELECT type, occurred_at FROM insights.telemetry_events
     WHERE user_id = $1 AND seq > $2::bigint AND seq <= $3::bigint ORDER BY occurred_at, seq`,
    [userId, watermark, upTo],
  );
  const first = fresh[0];
  if (!first) return 0;
  const firstAt = new Date(first.occurred_at);
  // Context: the events taken in before, just ahead of the first new one within a session gap.
  // Read as the latest 50 by seq (events arrive roughly in time order; the index is (user_id, seq))
  // and kept if they fall in that gap: three distinct steps are all a sequence needs.
  const previous = await tx.query<{ type: string; occurred_at: Date | string }>(
    `SELECT type, occurred_at FROM insights.telemetry_events WHERE user_id = $1 AND seq <= $2::bigint ORDER BY seq DESC LIMIT 50`,
    [userId, watermark],
  );
  const context = previous
    .reverse()
    .map((row) => ({ type: row.type, occurredAt: new Date(row.occurred_at), fresh: false }))
    .filter((event) => event.occurredAt < firstAt && firstAt.getTime() - event.occurredAt.getTime() <= gapMs)
    .sort((a, b) => a.occurredAt.getTime() - b.occurredAt.getTime()); // stable: ties stay in seq order
  const events: SequenceEvent[] = [
    ...context,
    ...fresh.map((row) => ({ type: row.type, occurredAt: new Date(row.occurred_at), fresh: true })),
  ];
  const counts = countSequences(events, gapMs);
  if (counts.length === 0) return 0;
  await tx.query(
    `INSERT INTO insights.sequence_daily (user_id, day, sequence, occurrences)
     SELECT $1, day, string_to_array(sequence, chr(31)), occurrences
     FROM unnest($2::date[], $3::text[], $4::int[]) AS c(day, sequence, occurrences)
     ON CONFLICT (user_id, day, sequence) DO UPDATE SET occurrences = sequence_daily.occurrences + EXCLUDED.occurrences`,
    [
      userId,
      counts.map((count) => count.day),
      // Event types cannot contain the unit separator (their pattern is checked on ingest and in the table).
      counts.map((count) => count.sequence.join("\u001f")),
      counts.map((count) => count.occurrences),
    ],
  );
  return counts.length;
}

/**
 * Seed 002's `analyze-patterns`: takes in the events after its watermark (sequences of event types
 * within a session), then rewrites the user's pattern insights from the window's aggregates
 * (frequent sequences, busiest hour and weekday, streak) and enqueues generate-suggestions.
 */
export const analyzePatternsJob = defineJob({
  name: "insights.analyze-patterns",
  queue: "default",
  payload: userJobPayload,
  async handler({ userId }, { services }) {
    const now = clockOf(services);
    await asUserJob(services.db, userId, "insights.analyze-patterns", async (tx) => {
      const watermark = await lockWatermark(tx, userId, "patterns");
      const batch = await nextBatch(tx, userId, watermark);
      if (batch) await addSequences(tx, userId, watermark, batch.upTo);
      const patterns = await readPatterns(tx, userId, { now, days: ANALYSIS_WINDOW_DAYS });
      await replaceFindings(tx, userId, "pattern", patternFindings(patterns));
      await saveRun(tx, userId, "patterns", batch?.upTo ?? watermark, { events: patterns.events, sequences: patterns.sequences.length });
      await services.jobs.enqueue(generateSuggestionsJob, { userId }, { tx });
      if (batch?.more) await services.jobs.enqueue(analyzePatternsJob, { userId }, { tx });
    });
  },
});
