import { availableModules } from "../../modules/registry.ts";
import type { Config } from "../config/config.ts";
import { type OpenedDatabase, openDatabase } from "../db/open-database.ts";
import type { AppRouter } from "../http/app-env.ts";
import { type CreateAppOptions, createApp } from "../http/create-app.ts";
import { openJobQueue } from "../jobs/open-job-queue.ts";
import { queueHealthCheck } from "../jobs/queue-health-check.ts";
import type { AppliedMigration } from "../migrations/apply-migrations.ts";
import type { BackplaneModule, HealthCheck, Services } from "../module.ts";
import type { Logger } from "../observability/logger.ts";
import { redisHealthCheck } from "../redis/redis-health-check.ts";
import { loadExtraModules } from "./load-extra-modules.ts";
import { migrateAll } from "./migrations-for.ts";
import { selectModules } from "./select-modules.ts";

export interface Runtime {
  services: Services & { db: OpenedDatabase };
  modules: BackplaneModule[];
  applied: AppliedMigration[];
  createApp(options?: Pick<CreateAppOptions, "serverSetsSecurityHeaders">): AppRouter;
  close(): Promise<void>;
}

export interface RuntimeOptions {
  role: string;
  /** Keep the embedded database reachable over loopback while this process runs. */
  exposeEmbedded?: boolean;
  migrate?: boolean;
}

/** Opens the database, applies migrations and gathers what the app and worker need. */
export async function createRuntime(config: Config, log: Logger, options: RuntimeOptions): Promise<Runtime> {
  const modules = [
    ...selectModules(availableModules, config.BACKPLANE_MODULES),
    ...(await loadExtraModules(config.BACKPLANE_EXTRA_MODULES)),
  ];
  const db = await openDatabase(config, {
    exposeEmbedded: options.exposeEmbedded,
    applicationName: `backplane-${options.role}`,
    notice: (message) => log.info(message),
  });
  try {
    const applied = options.migrate === false ? [] : await migrateAll(db, modules);
    for (const migration of applied) log.info({ migration: `${migration.module}/${migration.name}` }, "migration applied");
    const jobs = await openJobQueue({ config, db, log });
    const services: Runtime["services"] = { config, db, log, jobs };
    const healthChecks: Record<string, HealthCheck> = {};
    const redis = config.REDIS_URL ? redisHealthCheck(config.REDIS_URL) : null;
    if (redis) healthChecks.redis = redis.check;
    if (jobs.enabled) healthChecks.queue = queueHealthCheck;
    return {
      services,
      modules,
      applied,
      createApp: (options) => createApp({ services, modules, healthChecks, ...options }),
      close: async () => {
        await jobs.close();
        await redis?.close();
        await db.close();
      },
    };
  } catch (error) {
    await db.close();
    throw error;
  }
}
