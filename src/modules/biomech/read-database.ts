import type { Database } from "../../platform/db/database.ts";
import { openPostgres } from "../../platform/db/open-postgres.ts";
import type { Services } from "../../platform/module.ts";
import { keepLoginRole } from "../../platform/tenancy/with-tenant.ts";

type ReadPool = ReturnType<typeof openPostgres>;
const pools = new WeakMap<Services["db"], ReadPool>();

/**
 * Where biomech reads go: a pool on DATABASE_URL_READONLY (a role with SELECT only, see
 * `backplane db:readonly-role`) when set, so a bug in this module cannot write; otherwise
 * the main database. Opened on first use, one per main database handle. Reads run in
 * `withTenant`: the read-only role is subject to the same row-level security (it keeps its own
 * login role, which has SELECT only, instead of switching to backplane_app).
 */
export function biomechReader(services: Services): Database {
  const url = services.config.DATABASE_URL_READONLY;
  if (!url) return services.db;
  let pool = pools.get(services.db);
  if (!pool) {
    pool = keepLoginRole(
      openPostgres({
        url,
        poolMax: services.config.DATABASE_POOL_MAX,
        applicationName: "backplane-biomech-readonly",
        preparedStatements: services.config.DATABASE_PREPARED_STATEMENTS,
      }),
    );
    // Idle read connections must not keep a stopping process alive.
    pool.pool.options.allowExitOnIdle = true;
    pools.set(services.db, pool);
  }
  return pool;
}

/** Closes the read pool opened for `services`, if any (tests; servers exit with their process). */
export async function closeBiomechReader(services: Services): Promise<void> {
  const pool = pools.get(services.db);
  pools.delete(services.db);
  await pool?.close();
}
