import { type Spread, spread } from "./stats.ts";

/** One line of the results table: one metric of one scenario. */
export interface Figure {
  scenario: string;
  metric: string;
  unit: string;
  backplane: Spread;
  baselines: { name: string; value: Spread; ratio: Spread }[];
  /** How to read the ratio column, e.g. "Backplane ÷ baseline (higher is better)". */
  ratioMeaning?: string;
  target?: { text: string; pass: boolean };
  flagged?: string | null;
  note?: string;
}

/** Per-round ratios of Backplane to a baseline, so the spread of the ratio is the spread of same-run pairs. */
export function ratios(backplane: readonly number[], baseline: readonly number[], invert = false): Spread {
  return spread(backplane.map((value, i) => (invert ? (baseline[i] as number) / value : value / (baseline[i] as number))));
}

const fmt = (value: number): string => {
  if (!Number.isFinite(value)) return "–";
  const abs = Math.abs(value);
  if (abs >= 1000) return Math.round(value).toLocaleString("en-US");
  if (abs >= 100) return value.toFixed(0);
  if (abs >= 10) return value.toFixed(1);
  if (abs >= 1) return value.toFixed(2);
  return value.toFixed(3);
};

export const showSpread = (s: Spread, unit = ""): string =>
  s.min === s.max ? `${fmt(s.median)}${unit}` : `${fmt(s.median)}${unit} (${fmt(s.min)}–${fmt(s.max)})`;

export interface Machine {
  date: string;
  cores: number;
  cpu: string;
  memoryGiB: number;
  node: string;
  postgres: string;
  redis: string;
  os: string;
  /** 1/5/15-minute load averages when the run began: other work on the machine skews every figure. */
  loadAtStart?: string;
  /** ms for a fixed amount of CPU work (bench/lib/cpu-reference.ts): compare machines by it before comparing absolute figures. */
  cpuReference?: { hash: number; loop: number };
}

export function markdownReport(figures: Figure[], machine: Machine, notes: string[]): string {
  const lines = [
    `# Backplane benchmarks — ${machine.date}`,
    "",
    `Machine: ${machine.cores} cores (${machine.cpu}), ${machine.memoryGiB} GiB, ${machine.os}; Node ${machine.node}; PostgreSQL ${machine.postgres}; Redis ${machine.redis}; load average at start ${machine.loadAtStart ?? "not recorded"}; CPU reference (SHA-256 of 64 MiB / 10⁸ JS loop iterations) ${machine.cpuReference ? `${machine.cpuReference.hash} / ${machine.cpuReference.loop} ms` : "not recorded"}.`,
    "Load generator and servers share the same cores. Figures: median of the rounds (min–max across rounds). Ratios are per-round pairs.",
    "",
    "| Scenario | Metric | Backplane | Baselines | Ratio (Backplane ÷ baseline unless noted) | Target | Result |",
    "|---|---|---|---|---|---|---|",
  ];
  for (const figure of figures) {
    const baselines = figure.baselines.map((b) => `${b.name}: ${showSpread(b.value, figure.unit)}`).join("<br>") || "–";
    const ratioCells = figure.baselines.map((b) => `${b.name}: ${showSpread(b.ratio, "×")}`).join("<br>") || "–";
    const result = figure.target ? (figure.target.pass ? "pass" : "**miss**") : "–";
    const flag = figure.flagged ? " ⚑" : "";
    lines.push(
      `| ${figure.scenario}${flag} | ${figure.metric} | ${showSpread(figure.backplane, figure.unit)} | ${baselines} | ${
        figure.ratioMeaning ? `${figure.ratioMeaning}:<br>` : ""
      }${ratioCells} | ${figure.target?.text ?? "–"} | ${result} |`,
    );
  }
  const flagged = figures.filter((figure) => figure.flagged);
  const withNotes = figures.filter((figure) => figure.note);
  if (flagged.length || withNotes.length || notes.length) lines.push("", "## Notes", "");
  for (const [scenario, reason] of new Map(flagged.map((figure) => [figure.scenario, figure.flagged])))
    lines.push(`- ⚑ ${scenario}: ${reason}`);
  for (const figure of withNotes) lines.push(`- ${figure.scenario} / ${figure.metric}: ${figure.note}`);
  for (const note of notes) lines.push(`- ${note}`);
  return `${lines.join("\n")}\n`;
}
