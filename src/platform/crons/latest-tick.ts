import { CronExpressionParser } from "cron-parser";

/**
 * The scheduled time of the most recent tick of `cron` at or before `now`: what both triggers of
 * a tick (Vercel Cron's HTTP call and the worker's schedule, each a little late in its own way)
 * agree on, so the ledger can key the run by it. cron-parser is the parser pg-boss schedules with.
 */
export function latestTick(cron: string, now: Date, timeZone = "UTC"): Date {
  // prev() answers strictly before its reference: one millisecond on, a call at the tick itself gets that tick.
  return CronExpressionParser.parse(cron, { tz: timeZone, currentDate: new Date(now.getTime() + 1) })
    .prev()
    .toDate();
}
