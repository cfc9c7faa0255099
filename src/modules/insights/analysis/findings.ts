import type { Finding } from "../services/insight-rows.ts";
import type { Patterns } from "../services/patterns.ts";
import type { AppPerformance } from "../services/performance.ts";
import {
  ERROR_RATE_INSIGHT,
  PERFORMANCE_MIN_SAMPLES,
  SEQUENCE_INSIGHT_DAYS,
  SEQUENCE_INSIGHT_OCCURRENCES,
  SLOW_APP_P95_MS,
  STREAK_INSIGHT_DAYS,
  USAGE_INSIGHT_EVENTS,
} from "./settings.ts";

const weekdays = ["Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday"];
const pad = (hour: number) => String(hour).padStart(2, "0");
const percent = (share: number) => `${Math.round(share * 100)}%`;

function busiest(counts: readonly number[]): { index: number; count: number } {
  return counts.reduce((best, count, index) => (count > best.count ? { index, count } : best), { index: 0, count: -1 });
}

/** What analyze-patterns reports as insights, from the patterns over the analysis window. */
export function patternFindings(patterns: Patterns): Finding[] {
  const findings: Finding[] = [];
  for (const { sequence, occurrences, days } of patterns.sequences.slice(0, 5)) {
    if (occurrences < SEQUENCE_INSIGHT_OCCURRENCES || days < SEQUENCE_INSIGHT_DAYS) continue;
    findings.push({
      key: `sequence:${sequence.join(">")}`,
      title: `You often go ${sequence.join(" → ")} (${occurrences} times on ${days} days)`,
      data: { sequence, occurrences, days, windowDays: patterns.windowDays },
    });
  }
  if (patterns.events >= USAGE_INSIGHT_EVENTS) {
    const hour = busiest(patterns.hourOfDay);
    findings.push({
      key: "peak-hour",
      title: `Your busiest hour is ${pad(hour.index)}:00–${pad((hour.index + 1) % 24)}:00 UTC (${percent(hour.count / patterns.events)} of activity)`,
      data: { hour: hour.index, events: hour.count, share: hour.count / patterns.events, windowDays: patterns.windowDays },
    });
    const day = busiest(patterns.weekday);
    findings.push({
      key: "busiest-weekday",
      title: `${weekdays[day.index]} is your busiest day (${percent(day.count / patterns.events)} of activity)`,
      data: {
        weekday: day.index,
        name: weekdays[day.index],
        events: day.count,
        share: day.count / patterns.events,
        windowDays: patterns.windowDays,
      },
    });
  }
  if (patterns.streaks.current >= STREAK_INSIGHT_DAYS) {
    findings.push({
      key: "streak",
      title: `Active ${patterns.streaks.current} days in a row (longest: ${patterns.streaks.longest})`,
      data: { ...patterns.streaks },
    });
  }
  return findings;
}

/** What analyze-performance reports: slow apps (p95) and error-prone ones. */
export function performanceFindings(apps: readonly AppPerformance[], windowDays: number): Finding[] {
  const findings: Finding[] = [];
  for (const app of apps) {
    if (app.latency && app.latency.count >= PERFORMANCE_MIN_SAMPLES && app.latency.p95Ms >= SLOW_APP_P95_MS) {
      findings.push({
        key: `slow-app:${app.app}`,
        title: `${app.app} is slow: 95% of timed actions finish within ${Math.round(app.latency.p95Ms)} ms`,
        data: { app: app.app, ...app.latency, windowDays },
      });
    }
    if (app.samples >= PERFORMANCE_MIN_SAMPLES && app.errorRate >= ERROR_RATE_INSIGHT) {
      findings.push({
        key: `errors:${app.app}`,
        title: `${app.app} fails often: ${app.errors} errors in ${app.samples} actions (${percent(app.errorRate)})`,
        data: { app: app.app, errors: app.errors, samples: app.samples, errorRate: app.errorRate, windowDays },
      });
    }
  }
  return findings;
}
