export interface Streaks {
  current: number;
  longest: number;
  activeDays: number;
  lastActiveDay: string | null;
}

const DAY_MS = 86_400_000;

/**
 * Runs of consecutive UTC days with activity. `days` are YYYY-MM-DD, ascending, distinct. The
 * current streak is the run ending today or yesterday (today is not over yet), else 0.
 */
export function streaksOf(days: readonly string[], today: Date): Streaks {
  let longest = 0;
  let run = 0;
  let previous: number | null = null;
  for (const day of days) {
    const at = Date.parse(`${day}T00:00:00Z`);
    run = previous !== null && at - previous === DAY_MS ? run + 1 : 1;
    longest = Math.max(longest, run);
    previous = at;
  }
  const todayAt = Date.parse(`${today.toISOString().slice(0, 10)}T00:00:00Z`);
  const current = previous !== null && todayAt - previous <= DAY_MS ? run : 0;
  return { current, longest, activeDays: days.length, lastActiveDay: days.at(-1) ?? null };
}
