import type { Sql } from "../../../platform/db/database.ts";
import { SEQUENCE_MIN_OCCURRENCES, SESSION_GAP_MINUTES } from "../analysis/settings.ts";
import { type Streaks, streaksOf } from "../analysis/streaks.ts";
import { utcDay, windowStart } from "../analysis/window.ts";

export interface Patterns {
  windowDays: number;
  sessionGapMinutes: number;
  events: number;
  sequences: { sequence: string[]; occurrences: number; days: number }[];
  hourOfDay: number[];
  weekday: number[];
  streaks: Streaks;
}

/**
 * Usage patterns over the last `days` UTC days, from the aggregates the jobs keep (hourly counts
 * and daily sequence counts), so it costs the same whatever the number of raw events. Streaks look
 * at every retained day. Run in the user's context.
 */
export async function readPatterns(tx: Sql, userId: string, input: { now: Date; days: number; limit?: number }): Promise<Patterns> {
  const since = windowStart(input.now, input.days);
  const hours = await tx.query<{ hour: number; weekday: number; events: string | number }>(
    `SELECT extract(hour FROM hour AT TIME ZONE 'UTC')::int AS hour, (extract(isodow FROM hour AT TIME ZONE 'UTC')::int - 1) AS weekday,
              sum(events) AS events
       FROM insights.usage_hourly WHERE user_id = $1 AND hour >= $2 GROUP BY 1, 2`,
    [userId, since.toISOString()],
  );
  const sequences = await tx.query<{ sequence: string[]; occurrences: number; days: number }>(
    `SELECT sequence, sum(occurrences)::int AS occurrences, count(*)::int AS days
       FROM insights.sequence_daily WHERE user_id = $1 AND day >= $2::date
       GROUP BY sequence HAVING sum(occurrences) >= $3
       ORDER BY sum(occurrences) DESC, cardinality(sequence) DESC, sequence LIMIT $4`,
    [userId, utcDay(since), SEQUENCE_MIN_OCCURRENCES, input.limit ?? 10],
  );
  const days = await tx.query<{ day: string }>(
    `SELECT DISTINCT to_char(hour AT TIME ZONE 'UTC', 'YYYY-MM-DD') AS day FROM insights.usage_hourly WHERE user_id = $1 ORDER BY 1`,
    [userId],
  );
  const hourOfDay = new Array<number>(24).fill(0);
  const weekday = new Array<number>(7).fill(0);
  let events = 0;
  for (const row of hours) {
    const count = Number(row.events);
    hourOfDay[row.hour] = (hourOfDay[row.hour] ?? 0) + count;
    weekday[row.weekday] = (weekday[row.weekday] ?? 0) + count;
    events += count;
  }
  return {
    windowDays: input.days,
    sessionGapMinutes: SESSION_GAP_MINUTES,
    events,
    sequences,
    hourOfDay,
    weekday,
    streaks: streaksOf(
      days.map((row) => row.day),
      input.now,
    ),
  };
}
