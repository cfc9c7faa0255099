import { clockOf } from "../../../platform/identity/identity-settings.ts";
import { defineJob } from "../../../platform/jobs/define-job.ts";
import { ANALYSIS_WINDOW_DAYS } from "../analysis/settings.ts";
import { generateSuggestions } from "../services/suggestions.ts";
import { asUserJob, lockWatermark, saveRun, userJobPayload } from "./analysis-state.ts";

/**
 * Seed 002's `generate-suggestions`: integrations worth connecting, from the user's usage and
 * patterns over the analysis window, each with why (the evidence counts). Enqueued by
 * analyze-patterns, so it runs at most as often as that does.
 */
export const generateSuggestionsJob = defineJob({
  name: "insights.generate-suggestions",
  queue: "default",
  payload: userJobPayload,
  async handler({ userId }, { services }) {
    const now = clockOf(services);
    await asUserJob(services.db, userId, "insights.generate-suggestions", async (tx) => {
      const watermark = await lockWatermark(tx, userId, "suggestions");
      const open = await generateSuggestions(tx, userId, { now, days: ANALYSIS_WINDOW_DAYS });
      await saveRun(tx, userId, "suggestions", watermark, { suggestions: open });
    });
  },
});
