import { fileURLToPath } from "node:url";
import { runToEnd } from "../lib/proc.ts";
import type { Figure } from "../lib/report.ts";
import type { Context, Scenario } from "./context.ts";

const script = fileURLToPath(new URL("../training-sync.ts", import.meta.url));

/**
 * Issue #12's sync figures (first pull of 10,000 records with the server's peak RSS, the real
 * `synchronize()`, a push of 1,000 changes), from bench/training-sync.ts in its own process and
 * database. There is no peer to take a ratio against, so they are reported as notes.
 */
export const trainingSync: Scenario = {
  id: "sync",
  title: "10. Training sync (WatermelonDB, 10,000 records)",
  async run(context: Context): Promise<Figure[]> {
    const output = await runToEnd(process.execPath, [script], {
      env: { BENCH_DATABASE_URL: context.config.adminUrl },
      timeoutMs: 600_000,
    });
    const figures = output.split("\n").filter((line) => /^(first pull|first synchronize|push of)/.test(line));
    for (const line of figures) {
      context.log(`  ${line}`);
      context.notes.push(`10. Training sync — ${line}`);
    }
    if (figures.length === 0) throw new Error(`bench/training-sync.ts printed no figures:\n${output.slice(-2000)}`);
    return [];
  },
};
