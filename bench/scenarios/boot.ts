import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { type BootTime, copyDataDir, measureBoot } from "../boot.ts";
import { BENCH_SECRET, BENCH_SMTP_URL } from "../lib/database.ts";
import { type Figure, ratios } from "../lib/report.ts";
import { spread } from "../lib/stats.ts";
import type { Context, Scenario } from "./context.ts";

const title = "6. Boot (process start → first 200 on /api/health)";
const POSTGRES_FLOOR = "bare node:http + pg";
const PGLITE_FLOOR = "bare PGlite open";

/**
 * Fresh `backplane serve` processes, alternating embedded (existing data folder) and real
 * Postgres each round, each beside its floor booted the same way in the same round: node:http +
 * pg, or + PGlite on a copy of the same data folder, answering after a `SELECT 1`. The absolute
 * targets stay in milliseconds; the floors say how much of a boot is Backplane's on this machine
 * (÷ floor, and ms above it). The embedded first run (initdb + migrations) is reported too,
 * since that is what `npm start` costs once.
 */
export const boot: Scenario = {
  id: "boot",
  title,
  async run(context: Context): Promise<Figure[]> {
    const dir = mkdtempSync(path.join(tmpdir(), "bp-bench-boot-"));
    const env = { BACKPLANE_SECRET: BENCH_SECRET, NODE_ENV: "production", SMTP_URL: BENCH_SMTP_URL };
    const postgres: BootTime[] = [];
    const postgresFloor: BootTime[] = [];
    const embedded: BootTime[] = [];
    const embeddedFloor: BootTime[] = [];
    const firstRun: BootTime[] = [];
    try {
      for (let run = 0; run < context.config.bootRuns; run++) {
        const dataDir = path.join(dir, `data-${run}`);
        firstRun.push(await measureBoot({ ...env, BACKPLANE_DATA_DIR: dataDir }));
        const floorDir = copyDataDir(dataDir);
        postgres.push(await measureBoot({ ...env, DATABASE_URL: context.config.databaseUrl }));
        embeddedFloor.push(await measureBoot({ BACKPLANE_DATA_DIR: floorDir }, "floor-pglite"));
        embedded.push(await measureBoot({ ...env, BACKPLANE_DATA_DIR: dataDir }));
        postgresFloor.push(await measureBoot({ DATABASE_URL: context.config.databaseUrl }, "floor-postgres"));
        const shown = (boot?: BootTime) => `${boot?.ms.toFixed(0)} ms (CPU ${boot?.cpuMs.toFixed(0)} ms)`;
        context.log(
          `  run ${run + 1}: postgres ${shown(postgres.at(-1))} [floor ${shown(postgresFloor.at(-1))}], embedded ${shown(embedded.at(-1))} [floor ${shown(embeddedFloor.at(-1))}], embedded first run ${shown(firstRun.at(-1))}`,
        );
      }
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
    const wall = (boots: BootTime[]) => boots.map((boot) => boot.ms);
    // CPU time to ready: what a loaded machine barely moves (wall time includes waiting for the cores).
    const cpu = (boots: BootTime[]) => boots.map((boot) => boot.cpuMs).filter(Number.isFinite);
    const figure = (metric: string, values: number[], extra: Partial<Figure> = {}): Figure => ({
      scenario: title,
      metric,
      unit: " ms",
      backplane: spread(values),
      baselines: [],
      ...extra,
    });
    const floor = (name: string, values: number[], floorValues: number[]): Pick<Figure, "baselines"> => ({
      baselines: [{ name, value: spread(floorValues), ratio: ratios(values, floorValues) }],
    });
    // Per-round Backplane − floor: the boot's own cost, which a slower machine inflates less than the total.
    const above = (values: number[], floorValues: number[]) => values.map((value, i) => value - (floorValues[i] as number));
    const withFloor = (metric: string, name: string, values: number[], floorValues: number[], target?: Figure["target"]): Figure[] => [
      figure(metric, values, { ...floor(name, values, floorValues), ...(target ? { target } : {}) }),
      figure(`${metric}, above the floor`, above(values, floorValues)),
    ];
    // Per-round pairs: every boot of all four subjects needs its CPU reading, or the pairs would shift.
    const hasCpu = [postgres, postgresFloor, embedded, embeddedFloor].every((boots) => cpu(boots).length === boots.length);
    return [
      // Issue #14's targets, absolute as set; the floors beside them.
      ...withFloor("real PostgreSQL", POSTGRES_FLOOR, wall(postgres), wall(postgresFloor), {
        text: "≤ 0.4 s",
        pass: spread(wall(postgres)).median <= 400,
      }),
      ...withFloor("embedded (existing data)", PGLITE_FLOOR, wall(embedded), wall(embeddedFloor), {
        text: "≤ 0.8 s",
        pass: spread(wall(embedded)).median <= 800,
      }),
      figure("embedded first run (initdb + migrate)", wall(firstRun)),
      ...(hasCpu
        ? [
            ...withFloor("real PostgreSQL, server CPU to ready", POSTGRES_FLOOR, cpu(postgres), cpu(postgresFloor)),
            ...withFloor("embedded (existing data), server CPU to ready", PGLITE_FLOOR, cpu(embedded), cpu(embeddedFloor)),
          ]
        : []),
    ];
  },
};
