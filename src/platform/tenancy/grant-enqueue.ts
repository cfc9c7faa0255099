import type { Database, Sql } from "../db/database.ts";
import { QUEUE_SCHEMA } from "../jobs/queues.ts";
import { APP_ROLE } from "./with-tenant.ts";

/**
 * Lets the app role enqueue inside a tenant transaction (a job commits with the change that
 * causes it), and nothing more on the queue: read the queue settings, INSERT into the queues'
 * job tables, and SELECT the two columns pg-boss's insert returns. Reading or changing other orgs' jobs stays with
 * workers (service context). Run after pg-boss installs or upgrades its schema; idempotent.
 */
export async function grantEnqueue(db: Database): Promise<void> {
  // A GRANT rewrites the catalog row even when nothing changes, which makes every other session
  // re-plan what it prepared on those tables; so only when something is missing.
  const [state] = await db.query<{ granted: boolean }>(grantedSql, [APP_ROLE]);
  if (state?.granted) return;
  await db.transaction(async (tx) => {
    // Two processes migrating at once would GRANT on the same rows ("tuple concurrently updated").
    await tx.query("SELECT pg_advisory_xact_lock($1)", [GRANT_LOCK_KEY]);
    await tx.exec(await grantSql(tx));
  });
}

const GRANT_LOCK_KEY = 0x6270_6772; // "bpgr"

/** Whether the app role holds every grant grantSql gives (column grants included). $1 is the role. */
const grantedSql = `
SELECT has_schema_privilege($1, '${QUEUE_SCHEMA}', 'USAGE')
  AND has_table_privilege($1, '${QUEUE_SCHEMA}.queue', 'SELECT')
  AND COALESCE(bool_and(
    has_table_privilege($1, t.name, 'INSERT')
    AND has_column_privilege($1, t.name, 'id', 'SELECT')
    AND has_column_privilege($1, t.name, 'start_after', 'SELECT')
  ), true) AS granted
FROM (SELECT DISTINCT format('%I.%I', '${QUEUE_SCHEMA}', table_name) AS name FROM ${QUEUE_SCHEMA}.queue) t`;

async function grantSql(db: Sql): Promise<string> {
  const tables = await db.query<{ table_name: string }>(`SELECT DISTINCT table_name FROM ${QUEUE_SCHEMA}.queue ORDER BY 1`);
  // pgboss.queue is configuration (names, retry policies), no job data; send() reads it.
  const statements = [`GRANT USAGE ON SCHEMA ${QUEUE_SCHEMA} TO ${APP_ROLE}`, `GRANT SELECT ON ${QUEUE_SCHEMA}.queue TO ${APP_ROLE}`];
  for (const { table_name } of tables) {
    if (!/^[a-z_][a-z0-9_]*$/.test(table_name)) throw new Error(`unexpected pg-boss table name ${table_name}`);
    statements.push(
      `GRANT INSERT ON ${QUEUE_SCHEMA}.${table_name} TO ${APP_ROLE}`,
      `GRANT SELECT (id, start_after) ON ${QUEUE_SCHEMA}.${table_name} TO ${APP_ROLE}`,
    );
  }
  return `${statements.join(";\n")};`;
}
