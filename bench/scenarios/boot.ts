import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { type BootTime, measureBoot } from "../boot.ts";
import { BENCH_SECRET, BENCH_SMTP_URL } from "../lib/database.ts";
import type { Figure } from "../lib/report.ts";
import { spread } from "../lib/stats.ts";
import type { Context, Scenario } from "./context.ts";

const title = "6. Boot (process start → first 200 on /api/health)";

/**
 * Fresh `backplane serve` processes, alternating embedded (existing data folder) and real
 * Postgres each round. A figure in milliseconds with its own target; the embedded first run
 * (initdb + migrations) is reported too, since that is what `npm start` costs once.
 */
export const boot: Scenario = {
  id: "boot",
  title,
  async run(context: Context): Promise<Figure[]> {
    const dir = mkdtempSync(path.join(tmpdir(), "bp-bench-boot-"));
    const env = { BACKPLANE_SECRET: BENCH_SECRET, NODE_ENV: "production", SMTP_URL: BENCH_SMTP_URL };
    const postgres: BootTime[] = [];
    const embedded: BootTime[] = [];
    const firstRun: BootTime[] = [];
    try {
      for (let run = 0; run < context.config.bootRuns; run++) {
        const dataDir = path.join(dir, `data-${run}`);
        firstRun.push(await measureBoot({ ...env, BACKPLANE_DATA_DIR: dataDir }));
        postgres.push(await measureBoot({ ...env, DATABASE_URL: context.config.databaseUrl }));
        embedded.push(await measureBoot({ ...env, BACKPLANE_DATA_DIR: dataDir }));
        const shown = (boot?: BootTime) => `${boot?.ms.toFixed(0)} ms (CPU ${boot?.cpuMs.toFixed(0)} ms)`;
        context.log(
          `  run ${run + 1}: postgres ${shown(postgres.at(-1))}, embedded ${shown(embedded.at(-1))}, embedded first run ${shown(firstRun.at(-1))}`,
        );
      }
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
    const wall = (boots: BootTime[]) => boots.map((boot) => boot.ms);
    // CPU time to ready: what a loaded machine barely moves (wall time includes waiting for the cores).
    const cpu = (boots: BootTime[]) => boots.map((boot) => boot.cpuMs).filter(Number.isFinite);
    const figure = (metric: string, values: number[], target?: Figure["target"]): Figure => ({
      scenario: title,
      metric,
      unit: " ms",
      backplane: spread(values),
      baselines: [],
      ...(target ? { target } : {}),
    });
    return [
      // Issue #14's targets.
      figure("real PostgreSQL", wall(postgres), { text: "≤ 0.4 s", pass: spread(wall(postgres)).median <= 400 }),
      figure("embedded (existing data)", wall(embedded), { text: "≤ 0.8 s", pass: spread(wall(embedded)).median <= 800 }),
      figure("embedded first run (initdb + migrate)", wall(firstRun)),
      ...(cpu(postgres).length === postgres.length
        ? [
            figure("real PostgreSQL, server CPU to ready", cpu(postgres)),
            figure("embedded (existing data), server CPU to ready", cpu(embedded)),
          ]
        : []),
    ];
  },
};
