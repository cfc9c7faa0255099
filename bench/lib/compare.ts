import { existsSync, readdirSync, readFileSync } from "node:fs";
import path from "node:path";
import type { Figure } from "./report.ts";

interface Change {
  figure: Figure;
  /** The earlier results file the figure is compared with (its name, without `.json`). */
  against: string;
  measure: string;
  before: number;
  now: number;
  /** Positive = better, as a fraction (0.12 = 12 % better). */
  gain: number;
}

/** Throughput (no unit) is better higher; times, sizes and latencies lower. A ratio with a stated meaning is a "times faster". */
const higherIsBetter = (figure: Figure, onRatio: boolean) => (onRatio && figure.ratioMeaning ? true : figure.unit === "");

/**
 * Compares each figure of this run with the newest earlier results file that has it: a run of one
 * scenario (`npm run bench -- queue`) is not the newest comparison for the others. A figure with a
 * same-run baseline is judged on its ratio to the first baseline (machines and their load differ
 * between runs, the ratio less so); one without, on its own value. Anything more than 10 % worse
 * is flagged.
 */
export function compareWithPrevious(figures: Figure[], resultsDir: string, name: string): string[] {
  if (!existsSync(resultsDir)) return [];
  // Results are named by date, a second run of a day with a letter (2026-11-26b): newest first, before this one.
  const earlier = readdirSync(resultsDir)
    .filter((file) => /^\d{4}-\d{2}-\d{2}[a-z]?\.json$/.test(file) && file.slice(0, -".json".length) < name)
    .sort()
    .reverse()
    .map((file) => ({
      name: file.slice(0, -".json".length),
      figures: (JSON.parse(readFileSync(path.join(resultsDir, file), "utf8")) as { figures: Figure[] }).figures,
    }));
  const changes: Change[] = [];
  for (const figure of figures) {
    const found = earlier
      .map((run) => ({
        run: run.name,
        old: run.figures.find((candidate) => candidate.scenario === figure.scenario && candidate.metric === figure.metric),
      }))
      .find((candidate) => candidate.old !== undefined);
    if (!found?.old) continue;
    const { old, run } = found;
    const baseline = figure.baselines[0];
    const oldBaseline = old.baselines.find((candidate) => candidate.name === baseline?.name);
    const onRatio = Boolean(baseline && oldBaseline);
    const before = onRatio ? (oldBaseline?.ratio.median as number) : old.backplane.median;
    const now = onRatio ? (baseline?.ratio.median as number) : figure.backplane.median;
    if (!Number.isFinite(before) || !Number.isFinite(now) || before === 0 || now === 0) continue;
    const gain = higherIsBetter(figure, onRatio) ? now / before - 1 : before / now - 1;
    changes.push({ figure, against: run, measure: onRatio ? `ratio to ${baseline?.name}` : "value", before, now, gain });
  }
  if (changes.length === 0) return [];
  const show = (value: number) => (Math.abs(value) >= 100 ? value.toFixed(0) : value.toPrecision(3));
  const lines = [
    "",
    "## Against earlier results",
    "",
    "Each figure against the newest earlier results file that has it.",
    "",
    "| Scenario | Metric | Against | Compared on | Before | Now | Change | |",
    "|---|---|---|---|---|---|---|---|",
  ];
  for (const { figure, against, measure, before, now, gain } of changes) {
    const flag = gain < -0.1 ? "**regressed > 10 %**" : gain > 0.1 ? "better" : "";
    lines.push(
      `| ${figure.scenario} | ${figure.metric} | ${against} | ${measure} | ${show(before)} | ${show(now)} | ${gain >= 0 ? "+" : ""}${(gain * 100).toFixed(0)} % | ${flag} |`,
    );
  }
  return lines;
}
