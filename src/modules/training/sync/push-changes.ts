import type { Database, Sql } from "../../../platform/db/database.ts";
import { AppError } from "../../../platform/http/errors.ts";
import type { JobQueue } from "../../../platform/module.ts";
import { asService, type TenantContext, withTenant } from "../../../platform/tenancy/with-tenant.ts";
import { reanalyseFrom } from "../pipeline/analyse.ts";
import { enqueueSyncAnalysis } from "../pipeline/sync-analysis-job.ts";
import type { PushChanges } from "./schemas.ts";
import { type PushedRecord, type SyncColumn, type SyncTableName, syncTableNames, syncTables } from "./sync-tables.ts";

/** A push applies in this order: plans before the workouts that name them (the reference is deferred anyway). */
const applyOrder: SyncTableName[] = ["training_plans", "scheduled_workouts", "activities", "daily_metrics"];
const MAX_LISTED = 20;

export interface PushInput {
  userId: string;
  tenant: TenantContext;
  lastPulledAt: number;
  changes: PushChanges;
  /** The analysis of what the push changed is queued here, in the push's transaction. */
  jobs: JobQueue;
}

interface TableChanges {
  name: SyncTableName;
  /** `created` then `updated`, as parsed (absent keys stay absent). */
  upserts: { record: PushedRecord; created: boolean }[];
  deleted: string[];
}

function tablesOf(changes: PushChanges): TableChanges[] {
  const tables: TableChanges[] = [];
  for (const name of syncTableNames) {
    const table = changes[name];
    if (!table) continue;
    const upserts = [
      ...table.created.map((record) => ({ record: record as PushedRecord, created: true })),
      ...table.updated.map((record) => ({ record: record as PushedRecord, created: false })),
    ];
    if (upserts.length > 0 || table.deleted.length > 0) tables.push({ name, upserts, deleted: table.deleted });
  }
  return tables;
}

/** WatermelonDB never lists a record twice in one push; a body that does is malformed. */
function refuseRepeatedIds(tables: TableChanges[]): void {
  for (const table of tables) {
    const seen = new Set<string>();
    for (const id of [...table.upserts.map((upsert) => upsert.record.id), ...table.deleted]) {
      if (seen.has(id)) {
        throw new AppError("validation_failed", `${table.name}: record ${id} appears more than once in the push`, {
          details: [{ field: `json.${table.name}`, message: `record ${id} appears more than once` }],
        });
      }
      seen.add(id);
    }
  }
}

/**
 * Ids are global (one primary key across users). An id that another user's row holds is refused
 * before anything is written, so it is never taken over, updated or deleted through this user.
 * This reads across users by nature: a service transaction that returns only the clashing ids.
 */
async function refuseForeignIds(db: Database, userId: string, tables: TableChanges[]): Promise<void> {
  const foreign = await asService(db, "training: sync push id ownership", async (tx) => {
    const found: { table: string; id: string }[] = [];
    for (const table of tables) {
      const ids = [...table.upserts.map((upsert) => upsert.record.id), ...table.deleted];
      const rows = await tx.query<{ id: string }>(
        `SELECT id FROM training.${table.name} WHERE id = ANY($1::text[]) AND user_id <> $2 LIMIT ${MAX_LISTED}`,
        [ids, userId],
      );
      for (const row of rows) found.push({ table: table.name, id: row.id });
    }
    return found;
  });
  if (foreign.length > 0) throw foreignIdError(foreign);
}

function foreignIdError(records: { table: string; id: string }[]): AppError {
  return new AppError(
    "forbidden",
    "The push names records this account cannot write (their ids belong to other records); nothing was applied",
    {
      details: { records: records.slice(0, MAX_LISTED) },
    },
  );
}

/**
 * The stored row already holds every device value the pushed record `j` carries: a push that
 * created the row with this same lastPulledAt (`push_last_pulled_at`), re-sent because the client
 * missed the answer. Server-owned columns (a load computed since) do not count; a change another
 * device made to a device column does, so that stays a conflict.
 */
function samePushedValues(name: SyncTableName): string {
  const checks = syncTables[name].columns
    .filter((column) => column.writer !== "server")
    .map((column) =>
      // `create` columns arrive null for "server default" (created_at 0): only a value is compared.
      column.writer === "create"
        ? `(j->>'${column.name}' IS NULL OR t."${column.name}" IS NOT DISTINCT FROM ${valueFrom(column)})`
        : `(NOT j ? '${column.name}' OR t."${column.name}" IS NOT DISTINCT FROM ${valueFrom(column)})`,
    );
  return `(${checks.join(" AND ")})`;
}

/** Records the server changed (or deleted) after the client's last pull: the client must pull and merge first. */
async function findConflicts(tx: Sql, input: PushInput, tables: TableChanges[]): Promise<{ table: string; id: string }[]> {
  const conflicts: { table: string; id: string }[] = [];
  for (const table of tables) {
    const ids = [...table.upserts.map((upsert) => upsert.record.id), ...table.deleted];
    const changed = await tx.query<{ id: string }>(
      `SELECT t.id FROM training.${table.name} AS t
       LEFT JOIN jsonb_array_elements($4::jsonb) AS j ON j->>'id' = t.id
       WHERE t.user_id = $1 AND t.id = ANY($2::text[]) AND t.server_changed_at > $3
         AND NOT (j IS NOT NULL AND t.push_last_pulled_at = $3 AND ${samePushedValues(table.name)})
       LIMIT ${MAX_LISTED}`,
      [input.userId, ids, input.lastPulledAt, JSON.stringify(table.upserts.map(({ record }) => record))],
    );
    // Deleted on the server after the last pull: an update must not bring it back unseen.
    const deleted = await tx.query<{ id: string }>(
      `SELECT record_id AS id FROM training.sync_tombstones
       WHERE user_id = $1 AND table_name = $2 AND record_id = ANY($3::text[]) AND server_changed_at > $4 LIMIT ${MAX_LISTED}`,
      [input.userId, table.name, table.upserts.map((upsert) => upsert.record.id), input.lastPulledAt],
    );
    for (const row of [...changed, ...deleted]) conflicts.push({ table: table.name, id: row.id });
    if (table.name === "daily_metrics") {
      // Another record of the same day that the client has not seen yet.
      const sameDay = await tx.query<{ id: string }>(
        `SELECT id FROM training.daily_metrics
         WHERE user_id = $1 AND date = ANY($2::date[]) AND NOT (id = ANY($3::text[])) AND server_changed_at > $4 LIMIT ${MAX_LISTED}`,
        [input.userId, datesOf(table), ids, input.lastPulledAt],
      );
      for (const row of sameDay) conflicts.push({ table: table.name, id: row.id });
    }
  }
  return conflicts;
}

function datesOf(table: TableChanges): string[] {
  return table.upserts.map((upsert) => upsert.record.date).filter((date): date is string => typeof date === "string");
}

function valueFrom(column: SyncColumn): string {
  const value = `(j->>'${column.name}')`;
  switch (column.kind) {
    case "integer":
      return `${value}::integer`;
    case "float":
      return `${value}::double precision`;
    case "boolean":
      return `${value}::boolean`;
    case "date":
      return `${value}::date`;
    case "instant":
      return `'epoch'::timestamptz + ${value}::bigint * interval '1 millisecond'`;
    default:
      return value;
  }
}

/** Defaults for a record the push creates without them. */
const insertDefaults: Partial<Record<SyncTableName, Record<string, string>>> = {
  activities: { source: "'manual'", created_at: "now()" },
};

function upsertSql(name: SyncTableName): { insert: string; update: string } {
  const writable = syncTables[name].columns.filter((column) => column.writer !== "server");
  const defaults = insertDefaults[name] ?? {};
  const insertValues = writable.map((column) => {
    const fallback = defaults[column.name];
    return fallback ? `coalesce(${valueFrom(column)}, ${fallback})` : valueFrom(column);
  });
  // A created record the server already has (the client missed the answer) is updated instead;
  // an updated record the server never had is created. Only device columns change on update,
  // and only those the record carries.
  const insert = `
    INSERT INTO training.${name} (id, user_id, push_last_pulled_at, ${writable.map((column) => `"${column.name}"`).join(", ")})
    SELECT j->>'id', $1, $3, ${insertValues.join(", ")}
    FROM jsonb_array_elements($2::jsonb) AS j
    ON CONFLICT (id) DO NOTHING
    RETURNING id`;
  const assignments = writable
    .filter((column) => column.writer === "device")
    .map((column) => `"${column.name}" = CASE WHEN j ? '${column.name}' THEN ${valueFrom(column)} ELSE t."${column.name}" END`);
  const update = `
    UPDATE training.${name} AS t SET ${assignments.join(", ")}
    FROM jsonb_array_elements($2::jsonb) AS j
    WHERE t.user_id = $1 AND t.id = j->>'id'
    RETURNING t.id`;
  return { insert, update };
}

const statements = Object.fromEntries(syncTableNames.map((name) => [name, upsertSql(name)])) as Record<
  SyncTableName,
  { insert: string; update: string }
>;

function hasRequired(name: SyncTableName, record: PushedRecord): boolean {
  return syncTables[name].columns.every((column) => !column.required || record[column.name] != null);
}

/** The record's columns that carry a value (a merge never blanks the surviving row's). */
function valuesOf(record: PushedRecord): Record<string, unknown> {
  return Object.fromEntries(Object.entries(record).filter(([key, value]) => key !== "id" && value != null));
}

async function dropRecord(tx: Sql, userId: string, id: string): Promise<void> {
  // The delete trigger writes the tombstone; a record the server never had gets one here, so the
  // device that created it drops it on its next pull.
  const removed = await tx.query("DELETE FROM training.daily_metrics WHERE user_id = $1 AND id = $2 RETURNING id", [userId, id]);
  if (removed.length > 0) return;
  await tx.query(
    `INSERT INTO training.sync_tombstones AS t (user_id, table_name, record_id, server_changed_at)
     VALUES ($1, 'daily_metrics', $2, training.next_change_stamp($1))
     ON CONFLICT (user_id, table_name, record_id) DO UPDATE SET server_changed_at = EXCLUDED.server_changed_at`,
    [userId, id],
  );
}

/**
 * daily_metrics is one row per user and day, and a device may create a day's record while the
 * server (Garmin's dailies, another device, the analysis) already has one under another id. The
 * day's records are merged per column onto one survivor: the server's row when there is one
 * (its id, so its vendor values and analysis stay), else the last record of that day in the push.
 * Each pushed record's non-null columns are applied in order; the merged-away ids are deleted or
 * tombstoned, so the devices drop them and pull the survivor. Returns the days merged.
 */
async function settleSameDay(tx: Sql, userId: string, table: TableChanges): Promise<string[]> {
  const byDay = new Map<string, { record: PushedRecord; created: boolean }[]>();
  for (const upsert of table.upserts) {
    const day = upsert.record.date;
    if (typeof day === "string") byDay.set(day, [...(byDay.get(day) ?? []), upsert]);
  }
  if (byDay.size === 0) return [];
  const existing = await tx.query<{ id: string; date: string }>(
    `SELECT id, to_char(date, 'YYYY-MM-DD') AS date FROM training.daily_metrics
     WHERE user_id = $1 AND date = ANY($2::date[]) AND NOT (id = ANY($3::text[]))`,
    [userId, [...byDay.keys()], table.upserts.map(({ record }) => record.id)],
  );
  const survivorOf = new Map(existing.map((row) => [row.date, row.id]));
  const merged: string[] = [];
  const dropped = new Set<string>();
  const replacements = new Map<string, { record: PushedRecord; created: boolean }>();
  for (const [day, records] of byDay) {
    const serverId = survivorOf.get(day);
    if (!serverId && records.length === 1) continue;
    const last = records.at(-1) as { record: PushedRecord; created: boolean };
    const survivor = serverId
      ? { record: { id: serverId } as PushedRecord, created: false }
      : { record: { id: last.record.id } as PushedRecord, created: last.created };
    for (const { record } of records) {
      Object.assign(survivor.record, valuesOf(record));
      if (record.id !== survivor.record.id) dropped.add(record.id);
    }
    survivor.record.id = serverId ?? last.record.id;
    replacements.set(day, survivor);
    merged.push(day);
  }
  table.upserts = [
    ...table.upserts.filter(({ record }) => !dropped.has(record.id) && !(typeof record.date === "string" && replacements.has(record.date))),
    ...replacements.values(),
  ];
  for (const id of dropped) await dropRecord(tx, userId, id);
  return merged;
}

async function applyTable(tx: Sql, input: PushInput, table: TableChanges): Promise<void> {
  if (table.upserts.length === 0) return;
  const { insert, update } = statements[table.name];
  const creatable = table.upserts.filter(({ record }) => hasRequired(table.name, record)).map(({ record }) => record);
  const inserted = new Set(
    creatable.length > 0
      ? (await tx.query<{ id: string }>(insert, [input.userId, JSON.stringify(creatable), input.lastPulledAt])).map((row) => row.id)
      : [],
  );
  const rest = table.upserts.map(({ record }) => record).filter((record) => !inserted.has(record.id));
  const updated = new Set(
    rest.length > 0 ? (await tx.query<{ id: string }>(update, [input.userId, JSON.stringify(rest)])).map((row) => row.id) : [],
  );
  const missing = rest.filter((record) => !updated.has(record.id));
  if (missing.length === 0) return;
  // Not inserted and not found: an `updated` record the server never had, without the columns
  // needed to create it (or, after a race, an id another account took since the ownership check).
  throw new AppError(
    "validation_failed",
    `${table.name}: records ${missing
      .slice(0, 5)
      .map((record) => record.id)
      .join(", ")} do not exist and lack the columns to create them`,
    {
      details: missing.slice(0, MAX_LISTED).map((record) => ({
        field: `json.${table.name}.updated`,
        message: `record ${record.id} is not on the server and lacks ${syncTables[table.name].columns
          .filter((column) => column.required)
          .map((column) => column.name)
          .join(", ")}`,
      })),
    },
  );
}

/**
 * WatermelonDB push: all or nothing, in one tenant transaction. Refused (409 `conflict`, nothing
 * applied) when any pushed record changed on the server after `lastPulledAt`; the client then
 * pulls, merges and pushes again. See docs/training.md for each rule.
 */
export async function pushChanges(db: Database, input: PushInput): Promise<void> {
  const tables = tablesOf(input.changes);
  if (tables.length === 0) return;
  refuseRepeatedIds(tables);
  await refuseForeignIds(db, input.userId, tables);
  try {
    await withTenant(db, input.tenant, async (tx) => {
      // Takes the user's clock first: concurrent writes of this user wait for this push (and the
      // ones already under way have committed), so the conflict check below sees the final state.
      await tx.query("SELECT training.next_change_stamp($1)", [input.userId]);
      const conflicts = await findConflicts(tx, input, tables);
      if (conflicts.length > 0) {
        throw new AppError("conflict", "Records changed on the server after lastPulledAt: pull, then push again. Nothing was applied", {
          details: { conflicts: conflicts.slice(0, MAX_LISTED) },
        });
      }
      const byName = new Map(tables.map((table) => [table.name, table]));
      const removedStarts: number[] = [];
      for (const table of tables) {
        if (table.deleted.length === 0) continue;
        // Ids the server does not have are ignored; a delete leaves the tombstone other devices pull.
        const removed = await tx.query<{ start_ms: string | null }>(
          `DELETE FROM training.${table.name} WHERE user_id = $1 AND id = ANY($2::text[])
           RETURNING ${table.name === "activities" ? "(extract(epoch FROM start_time) * 1000)::bigint::text" : "NULL"} AS start_ms`,
          [input.userId, table.deleted],
        );
        for (const row of removed) if (row.start_ms !== null) removedStarts.push(Number(row.start_ms));
      }
      // Where updated activities were before this push: a moved one leaves its old day to re-analyse.
      const activities = byName.get("activities");
      if (activities && activities.upserts.length > 0) {
        const before = await tx.query<{ start_ms: string }>(
          "SELECT (extract(epoch FROM start_time) * 1000)::bigint::text AS start_ms FROM training.activities WHERE user_id = $1 AND id = ANY($2::text[])",
          [input.userId, activities.upserts.map(({ record }) => record.id)],
        );
        for (const row of before) removedStarts.push(Number(row.start_ms));
      }
      const metrics = byName.get("daily_metrics");
      const mergedDays = metrics ? await settleSameDay(tx, input.userId, metrics) : [];
      for (const name of applyOrder) {
        const table = byName.get(name);
        if (table) await applyTable(tx, input, table);
      }
      // A merged day's analysis (readiness from the merged HRV, sleep and soreness) is redone.
      for (const day of mergedDays) await reanalyseFrom(tx, input.userId, day);
      // Loads of pushed activities (a manual one's session RPE × minutes) and the days they touch.
      await enqueueSyncAnalysis(tx, input.jobs, {
        userId: input.userId,
        activityIds: byName.get("activities")?.upserts.map(({ record }) => record.id) ?? [],
        days: [...new Set(datesOf(metrics ?? { name: "daily_metrics", upserts: [], deleted: [] }))],
        removedStarts,
      });
      const workouts = byName.get("scheduled_workouts");
      if (workouts && workouts.upserts.length > 0) {
        // A workout naming a plan this user does not have (never pushed, or deleted) loses the
        // reference rather than failing the whole sync forever.
        await tx.query(
          `UPDATE training.scheduled_workouts AS w SET plan_id = NULL
           WHERE w.user_id = $1 AND w.id = ANY($2::text[]) AND w.plan_id IS NOT NULL
             AND NOT EXISTS (SELECT 1 FROM training.training_plans p WHERE p.id = w.plan_id AND p.user_id = $1)`,
          [input.userId, workouts.upserts.map(({ record }) => record.id)],
        );
      }
    });
  } catch (error) {
    // The id was taken by another account between the ownership check and the insert.
    if ((error as { code?: string }).code === "42501") throw foreignIdError([]);
    throw error;
  }
}
