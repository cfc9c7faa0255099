import type { Sql } from "../../../platform/db/database.ts";
import { prepared } from "../../../platform/db/statement-names.ts";
import type { PullResult, SyncMigration } from "./schemas.ts";
import { type SyncColumn, type SyncTableName, syncTableNames, syncTables } from "./sync-tables.ts";

/** A column as it travels: instants as epoch ms numbers, dates as `YYYY-MM-DD`, the rest as stored. */
function wireExpression(column: SyncColumn): string {
  const name = `"${column.name}"`;
  if (column.kind === "instant") return `round(extract(epoch FROM ${name}) * 1000)::bigint`;
  if (column.kind === "date") return `to_char(${name}, 'YYYY-MM-DD')`;
  return name;
}

/**
 * One query per table, the records built by PostgreSQL as JSON (one parse in Node, however many
 * rows). $1 user, $2 changed after, $3 created after, $4 the pull's lastPulledAt: a row the
 * puller's own push created comes as `updated`, since that device has it already. Prepared, as the
 * pull's other statements (statement-names.ts): fixed texts, run on every pull.
 */
const tableSql = Object.fromEntries(
  syncTableNames.map((name) => {
    const fields = syncTables[name].columns.map((column) => `'${column.name}', ${wireExpression(column)}`).join(", ");
    return [
      name,
      prepared(`SELECT coalesce(json_agg(rec) FILTER (WHERE is_created), '[]'::json) AS created,
              coalesce(json_agg(rec) FILTER (WHERE NOT is_created), '[]'::json) AS updated
       FROM (SELECT json_build_object('id', id, ${fields}) AS rec,
                    (server_created_at > $3 AND ($4::bigint IS NULL OR push_last_pulled_at IS DISTINCT FROM $4::bigint)) AS is_created
             FROM training.${name} WHERE user_id = $1 AND server_changed_at > $2) AS changed`),
    ];
  }),
) as Record<SyncTableName, string>;

// Locks the user's clock row for the rest of the transaction: writes of this user wait, and
// writes already holding it have committed by the time this returns. Advances it to now, so
// every later write is stamped after the returned timestamp.
const advanceClockSql = prepared(`
INSERT INTO training.sync_clocks AS c (user_id, last_ms) VALUES ($1, training.clock_ms())
ON CONFLICT (user_id) DO UPDATE SET last_ms = greatest(c.last_ms, EXCLUDED.last_ms)
RETURNING last_ms`);

const tombstonesSql = prepared(`SELECT table_name, json_agg(record_id) AS ids FROM training.sync_tombstones
       WHERE user_id = $1 AND server_changed_at > $2 AND table_name = ANY($3::text[]) GROUP BY table_name`);

export interface PullInput {
  userId: string;
  lastPulledAt: number | null;
  migration?: SyncMigration;
}

/** How each table is read: everything, or changes since the last pull. */
interface TablePlan {
  changedAfter: number;
  createdAfter: number;
  pulledAt: number | null;
  withDeletions: boolean;
}

/**
 * WatermelonDB pull, in the user's tenant transaction. The timestamp and the rows come from one
 * consistent state (see advanceClockSql): every change stamped after the timestamp commits after
 * this pull, so the next pull gets it. A lastPulledAt older than the tombstone purge horizon gets
 * the full set with `experimentalStrategy: "replacement"` (deletions it missed cannot be listed).
 */
export async function pullChanges(tx: Sql, input: PullInput): Promise<PullResult> {
  const [clock] = await tx.query<{ last_ms: string }>(advanceClockSql, [input.userId]);
  const timestamp = Number(clock?.last_ms);
  const [horizon] = await tx.query<{ purged_before: string }>("SELECT purged_before FROM training.tombstone_horizon");
  const since = input.lastPulledAt && input.lastPulledAt > 0 ? input.lastPulledAt : null;
  const replacement = since !== null && since < Number(horizon?.purged_before ?? 0);

  const plans = {} as Record<SyncTableName, TablePlan>;
  for (const name of syncTableNames) {
    if (since === null) plans[name] = { changedAfter: -1, createdAfter: -1, pulledAt: null, withDeletions: false };
    else if (replacement) plans[name] = { changedAfter: -1, createdAfter: since, pulledAt: since, withDeletions: false };
    else plans[name] = { changedAfter: since, createdAfter: since, pulledAt: since, withDeletions: true };
  }
  if (since !== null && !replacement && input.migration) applyMigration(plans, input.migration);

  const changes = {} as PullResult["changes"];
  for (const name of syncTableNames) {
    const plan = plans[name];
    const [row] = await tx.query<{ created: PullRecord[]; updated: PullRecord[] }>(tableSql[name], [
      input.userId,
      plan.changedAfter,
      plan.createdAfter,
      plan.pulledAt,
    ]);
    changes[name] = { created: row?.created ?? [], updated: row?.updated ?? [], deleted: [] };
  }
  const deletionTables = syncTableNames.filter((name) => plans[name].withDeletions);
  if (since !== null && deletionTables.length > 0) {
    const tombstones = await tx.query<{ table_name: SyncTableName; ids: string[] }>(tombstonesSql, [input.userId, since, deletionTables]);
    for (const { table_name, ids } of tombstones) changes[table_name].deleted = ids;
  }
  return replacement ? { changes, timestamp, experimentalStrategy: "replacement" } : { changes, timestamp };
}

type PullRecord = PullResult["changes"]["activities"]["created"][number];

/**
 * WatermelonDB migration syncs: a table the app added since its last sync gets all its records
 * (as created); a table that gained columns gets all its records, so the new columns get filled.
 * Names outside the allowlist are ignored.
 */
function applyMigration(plans: Record<SyncTableName, TablePlan>, migration: NonNullable<SyncMigration>): void {
  const known = (name: string): name is SyncTableName => (syncTableNames as readonly string[]).includes(name);
  for (const table of migration.tables) {
    if (known(table)) plans[table] = { changedAfter: -1, createdAfter: -1, pulledAt: null, withDeletions: false };
  }
  for (const { table, columns } of migration.columns) {
    if (!known(table) || migration.tables.includes(table)) continue;
    const synced = new Set(syncTables[table].columns.map((column) => column.name));
    if (columns.some((column) => synced.has(column))) plans[table] = { ...plans[table], changedAfter: -1 };
  }
}
