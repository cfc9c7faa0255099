import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { measureBoot } from "../boot.ts";
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
    const postgres: number[] = [];
    const embedded: number[] = [];
    const firstRun: number[] = [];
    try {
      for (let run = 0; run < context.config.bootRuns; run++) {
        const dataDir = path.join(dir, `data-${run}`);
        firstRun.push(await measureBoot({ ...env, BACKPLANE_DATA_DIR: dataDir }));
        postgres.push(await measureBoot({ ...env, DATABASE_URL: context.config.databaseUrl }));
        embedded.push(await measureBoot({ ...env, BACKPLANE_DATA_DIR: dataDir }));
        context.log(
          `  run ${run + 1}: postgres ${postgres.at(-1)?.toFixed(0)} ms, embedded ${embedded.at(-1)?.toFixed(0)} ms, embedded first run ${firstRun.at(-1)?.toFixed(0)} ms`,
        );
      }
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
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
      figure("real PostgreSQL", postgres, { text: "≤ 0.4 s", pass: spread(postgres).median <= 400 }),
      figure("embedded (existing data)", embedded, { text: "≤ 0.8 s", pass: spread(embedded).median <= 800 }),
      figure("embedded first run (initdb + migrate)", firstRun),
    ];
  },
};
