import { router } from "../trpc/trpc.ts";

/**
 * Seed 004 §2.3.1 `dashboard`: `getTodaySummary` (today's scheduled workout, readiness, last
 * activity with its load, 7-day load, acute:chronic ratio). Built with the activity pipeline.
 */
export const dashboardRouter = router({});
