/**
 * Acute:chronic workload ratio with exponentially weighted moving averages (Williams et al.
 * 2017): λ = 2 / (N + 1) for the 7-day acute and 28-day chronic windows, fed one total load per
 * calendar day (0 on rest days), oldest first.
 */

export const ACUTE_DAYS = 7;
export const CHRONIC_DAYS = 28;
/** Above this the acute load has outgrown the chronic base: flagged as an injury-risk spike. */
export const ACWR_FLAG_ABOVE = 1.5;

export interface WorkloadRatio {
  acute: number;
  chronic: number;
  /** null while there is no chronic load to compare with. */
  ratio: number | null;
  flagged: boolean;
}

const round2 = (value: number) => Math.round(value * 100) / 100;

export function ewma(dailyLoads: readonly number[], days: number): number {
  const lambda = 2 / (days + 1);
  let value = 0;
  for (const load of dailyLoads) value = load * lambda + (1 - lambda) * value;
  return value;
}

/** `dailyLoads`: one value per day, oldest first, ending with the day the ratio is for. */
export function workloadRatio(dailyLoads: readonly number[]): WorkloadRatio {
  const acute = ewma(dailyLoads, ACUTE_DAYS);
  const chronic = ewma(dailyLoads, CHRONIC_DAYS);
  const ratio = chronic > 0 ? round2(acute / chronic) : null;
  return { acute: round2(acute), chronic: round2(chronic), ratio, flagged: ratio !== null && ratio > ACWR_FLAG_ABOVE };
}

/** Daily totals for the `days` days ending at `lastDay` (YYYY-MM-DD), 0 where nothing was done. */
export function dailyTotals(loads: readonly { day: string; load: number }[], lastDay: string, days: number): number[] {
  const byDay = new Map<string, number>();
  for (const { day, load } of loads) byDay.set(day, (byDay.get(day) ?? 0) + load);
  const end = Date.parse(`${lastDay}T00:00:00Z`);
  const totals: number[] = [];
  for (let offset = days - 1; offset >= 0; offset--) {
    const day = new Date(end - offset * 86_400_000).toISOString().slice(0, 10);
    totals.push(byDay.get(day) ?? 0);
  }
  return totals;
}
