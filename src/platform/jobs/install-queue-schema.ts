import { parseConfig } from "../config/config.ts";
import type { Database } from "../db/database.ts";
import type { AppliedMigration } from "../migrations/apply-migrations.ts";
import { createLogger } from "../observability/logger.ts";
import { createActiveJobsIndex } from "./active-jobs-index.ts";
import { isBossInstallCurrent, readQueueInstall, tablesWithoutActiveJobsIndex } from "./queue-install.ts";
import { DEAD_LETTER_QUEUE, JOBS_QUEUE } from "./queues.ts";

/**
 * Installs (or upgrades) pg-boss's schema and creates Backplane's two queues. Run by `migrate`
 * after the SQL migrations, so a migrated database, and the test template, already has them.
 * pg-boss versions its own schema and serializes concurrent installs with an advisory lock.
 * When the schema is already at this pg-boss's version and both queues exist (every boot but the
 * first after an install or upgrade) pg-boss is not even loaded: one statement, no ~9.
 * Then the queues' job tables get Backplane's index of active jobs where they lack it.
 */
export async function installQueueSchema(db: Database): Promise<AppliedMigration[]> {
  let install = await readQueueInstall(db);
  const applied: AppliedMigration[] = [];
  if (!isBossInstallCurrent(install)) {
    applied.push(...(await installBoss(db)));
    install = await readQueueInstall(db);
  }
  for (const table of tablesWithoutActiveJobsIndex(install)) {
    const created = await createActiveJobsIndex(db, table);
    if (created) applied.push(created);
  }
  return applied;
}

async function installBoss(db: Database): Promise<AppliedMigration[]> {
  const { createBoss } = await import("./open-boss.ts");
  // Installing needs no settings from the environment; the queues' tunables are synced at start.
  const config = parseConfig({});
  const boss = createBoss({ config, db, log: createLogger({ level: "silent" }), role: "installer" });
  const before = await boss.schemaVersion().catch(() => null);
  await boss.start();
  try {
    const applied: AppliedMigration[] = [];
    const after = await boss.schemaVersion();
    if (after !== before) applied.push({ module: "jobs", version: after ?? 0, name: `pg-boss schema v${after}` });
    if (!(await boss.getQueue(DEAD_LETTER_QUEUE))) {
      await boss.createQueue(DEAD_LETTER_QUEUE);
      applied.push({ module: "jobs", version: 0, name: `queue ${DEAD_LETTER_QUEUE}` });
    }
    if (!(await boss.getQueue(JOBS_QUEUE))) {
      await boss.createQueue(JOBS_QUEUE, { notify: true, deadLetter: DEAD_LETTER_QUEUE });
      applied.push({ module: "jobs", version: 0, name: `queue ${JOBS_QUEUE}` });
    }
    return applied;
  } finally {
    await boss.stop({ graceful: false, close: false });
  }
}
