import { availableModules } from "../modules/registry.ts";
import { loadExtraModules } from "../platform/boot/load-extra-modules.ts";
import { migrateAll, migrationsFor } from "../platform/boot/migrations-for.ts";
import { selectModules } from "../platform/boot/select-modules.ts";
import { type Catalog, catalogOf } from "../platform/catalog.ts";
import type { Config } from "../platform/config/config.ts";
import { type OpenedDatabase, openDatabase } from "../platform/db/open-database.ts";
import type { AppRouter } from "../platform/http/app-env.ts";
import { type CreateAppOptions, createApp } from "../platform/http/create-app.ts";
import { openJobQueue } from "../platform/jobs/open-job-queue.ts";
import { queueHealthCheck } from "../platform/jobs/queue-health-check.ts";
import type { AppliedMigration } from "../platform/migrations/apply-migrations.ts";
import { PendingMigrationsError, readMigrationStatus } from "../platform/migrations/migration-status.ts";
import type { BackplaneModule, HealthCheck, Services } from "../platform/module.ts";
import type { Logger } from "../platform/observability/logger.ts";
import { closeRateLimitStore } from "../platform/ratelimit/rate-limit-store.ts";
import { redisHealthCheck } from "../platform/redis/redis-health-check.ts";

export interface Runtime {
  services: Services & { db: OpenedDatabase };
  modules: BackplaneModule[];
  /** The platform's and the modules' tables, scopes and id prefixes. */
  catalog: Catalog;
  applied: AppliedMigration[];
  createApp(options?: Pick<CreateAppOptions, "servedByListen">): AppRouter;
  close(): Promise<void>;
}

export interface RuntimeOptions {
  role: string;
  /** Keep the embedded database reachable over loopback while this process runs. */
  exposeEmbedded?: boolean;
  migrate?: boolean;
  /** With `migrate: false`: refuse to start when a migration this code needs is not applied (PendingMigrationsError). */
  requireMigrated?: boolean;
}

/** Opens the database, applies migrations and gathers what the app and worker need. */
export async function createRuntime(config: Config, log: Logger, options: RuntimeOptions): Promise<Runtime> {
  const modules = [
    ...selectModules(availableModules, config.BACKPLANE_MODULES),
    ...(await loadExtraModules(config.BACKPLANE_EXTRA_MODULES)),
  ];
  const catalog = catalogOf(modules); // a clash between modules stops boot before the database opens
  const db = await openDatabase(config, {
    exposeEmbedded: options.exposeEmbedded,
    applicationName: `backplane-${options.role}`,
    notice: (message) => log.info(message),
  });
  try {
    if (options.migrate === false && options.requireMigrated) {
      const { pending } = await readMigrationStatus(db, migrationsFor(modules));
      if (pending.length > 0) throw new PendingMigrationsError(pending);
    }
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
      catalog,
      applied,
      createApp: (options) => createApp({ services, modules, healthChecks, ...options }),
      close: async () => {
        await jobs.close();
        await redis?.close();
        await closeRateLimitStore(services);
        await db.close();
      },
    };
  } catch (error) {
    await db.close();
    throw error;
  }
}
