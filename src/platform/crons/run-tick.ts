import type { Catalog } from "../catalog.ts";
import { clockOf } from "../identity/identity-settings.ts";
import type { Services } from "../module.ts";
import { asService } from "../tenancy/with-tenant.ts";

/** A platform cron that runs once per tick whether Vercel Cron (HTTP) or the worker fires it. */
export interface TickedTask {
  /** The worker job's name, also the ledger's key (backplane.cron_ticks.job). */
  job: string;
  /** Five fields, UTC. */
  cron: string;
  /** The route Vercel Cron calls (GET, `Authorization: Bearer $CRON_SECRET`). */
  path: string;
  /** The tick's work; `ok: false` marks the tick failed (it may then be claimed again). */
  run(services: Services, catalog: Catalog, tick: Date): Promise<{ ok: boolean; result: Record<string, unknown> }>;
}

export type TriggeredBy = "http" | "worker";

export interface TickOutcome {
  job: string;
  tick: string;
  /** False: this tick was already run (or is running) by the other trigger; nothing was done. */
  ran: boolean;
  status: "running" | "done" | "failed";
  triggeredBy: TriggeredBy;
  result: Record<string, unknown> | null;
}

/** A run that stopped without finishing (a killed process) may be claimed again after this. */
const STALE_RUN = "1 hour";

interface TickRow {
  status: TickOutcome["status"];
  triggered_by: TriggeredBy;
  result: Record<string, unknown> | null;
}

/**
 * Claims the current tick of `task` in the ledger and runs it, or reports that it is taken. The
 * claim is an INSERT on the primary key (job, tick), committed before the work starts, so two
 * triggers racing for one tick cannot both win; a failed tick can be claimed again (a retry).
 */
export async function runTickOnce(services: Services, catalog: Catalog, task: TickedTask, triggeredBy: TriggeredBy): Promise<TickOutcome> {
  const now = clockOf(services);
  // Loaded with the first tick: cron-parser (and luxon under it) is boot CPU the API rarely needs.
  const { latestTick } = await import("./latest-tick.ts");
  const tick = latestTick(task.cron, now);
  const claimed = await asService(services.db, `cron: claim ${task.job}`, (tx) =>
    tx.query<TickRow>(
      `INSERT INTO backplane.cron_ticks (job, tick, status, triggered_by, started_at) VALUES ($1, $2, 'running', $3, $4)
       ON CONFLICT (job, tick) DO UPDATE SET status = 'running', triggered_by = EXCLUDED.triggered_by,
         attempts = cron_ticks.attempts + 1, started_at = EXCLUDED.started_at, finished_at = NULL, result = NULL
       WHERE cron_ticks.status = 'failed' OR (cron_ticks.status = 'running' AND cron_ticks.started_at < EXCLUDED.started_at - interval '${STALE_RUN}')
       RETURNING status, triggered_by, result`,
      [task.job, tick, triggeredBy, now],
    ),
  );
  const outcome = (row: TickRow, ran: boolean): TickOutcome => ({
    job: task.job,
    tick: tick.toISOString(),
    ran,
    status: row.status,
    triggeredBy: row.triggered_by,
    result: row.result,
  });
  if (claimed.length === 0) {
    const [existing] = await asService(services.db, `cron: read ${task.job}`, (tx) =>
      tx.query<TickRow>("SELECT status, triggered_by, result FROM backplane.cron_ticks WHERE job = $1 AND tick = $2", [task.job, tick]),
    );
    return outcome(existing as TickRow, false);
  }
  let done: { ok: boolean; result: Record<string, unknown> };
  try {
    done = await task.run(services, catalog, tick);
  } catch (error) {
    done = { ok: false, result: { error: error instanceof Error ? error.message : String(error) } };
  }
  const [finished] = await asService(services.db, `cron: finish ${task.job}`, (tx) =>
    tx.query<TickRow>(
      `UPDATE backplane.cron_ticks SET status = $3, finished_at = $4, result = $5 WHERE job = $1 AND tick = $2
       RETURNING status, triggered_by, result`,
      [task.job, tick, done.ok ? "done" : "failed", clockOf(services), JSON.stringify(done.result)],
    ),
  );
  if (!done.ok) services.log.warn({ job: task.job, tick, result: done.result }, "cron tick failed");
  return outcome(finished as TickRow, true);
}
