import { z } from "@hono/zod-openapi";
import { syncIdPattern } from "../sync-id.ts";

/**
 * The WatermelonDB sync allowlist: the synced tables, and per table the columns a pull sends
 * and a push may write. Everything else (user_id, the sync bookkeeping, data_stream, unknown
 * keys, `_status`/`_changed`) never leaves and is never taken.
 */
export const syncTableNames = ["activities", "daily_metrics", "training_plans", "scheduled_workouts"] as const;
export type SyncTableName = (typeof syncTableNames)[number];

/** How a value travels: instants as epoch ms numbers, dates as `YYYY-MM-DD`, the rest as JSON scalars. */
type Kind = "text" | "integer" | "float" | "boolean" | "date" | "instant";

/** Who writes a column: any push (`device`), a push that creates the record (`create`), or only the server. */
type Writer = "device" | "create" | "server";

export interface SyncColumn {
  name: string;
  kind: Kind;
  writer: Writer;
  /** The pushed value (null allowed unless `required`); server columns have none. */
  push?: z.ZodType;
  /** The record cannot exist without it (NOT NULL without a default). */
  required?: boolean;
}

export interface SyncTable {
  name: SyncTableName;
  columns: SyncColumn[];
}

const dateString = z
  .string()
  .regex(/^\d{4}-\d{2}-\d{2}$/, "must be a date YYYY-MM-DD")
  .refine((value) => {
    const parsed = new Date(`${value}T00:00:00Z`);
    return !Number.isNaN(parsed.getTime()) && parsed.toISOString().startsWith(value);
  }, "must be a real calendar date");
// Epoch ms between 1970 and 2100; WatermelonDB stores Date.now() values.
const epochMs = z.number().int().min(0).max(4_102_444_800_000);
const int = (min: number, max: number) => z.number().int().min(min).max(max);
const float = (min: number, max: number) => z.number().min(min).max(max);
// WatermelonDB sends '' for an empty non-optional string column: read as "no value".
const text = (max: number) => z.preprocess((value) => (value === "" ? null : value), z.string().max(max).nullable());
const oneOf = <const T extends readonly [string, ...string[]]>(values: T) =>
  z.preprocess((value) => (value === "" ? null : value), z.enum(values).nullable());

const server = (name: string, kind: Kind): SyncColumn => ({ name, kind, writer: "server" });

export const syncTables: Record<SyncTableName, SyncTable> = {
  activities: {
    name: "activities",
    columns: [
      server("external_id", "text"),
      // A device creates manual or Apple Health activities; Garmin and Strava ones come from ingestion only.
      { name: "source", kind: "text", writer: "create", push: oneOf(["manual", "apple"] as const) },
      { name: "type", kind: "text", writer: "device", push: oneOf(["run", "cycle", "swim"] as const) },
      { name: "start_time", kind: "instant", writer: "device", push: epochMs, required: true },
      { name: "duration_sec", kind: "integer", writer: "device", push: int(0, 2_000_000_000).nullable() },
      { name: "distance_meters", kind: "float", writer: "device", push: float(0, 1e9).nullable() },
      { name: "avg_hr", kind: "integer", writer: "device", push: int(0, 300).nullable() },
      { name: "max_hr", kind: "integer", writer: "device", push: int(0, 300).nullable() },
      { name: "rpe", kind: "integer", writer: "device", push: int(0, 10).nullable() },
      // WatermelonDB requires created_at to be a non-optional number: 0 means "not set" (the server's now()).
      {
        name: "created_at",
        kind: "instant",
        writer: "create",
        push: z.preprocess((value) => (value === 0 ? null : value), epochMs.nullable()),
      },
      server("trimp", "float"),
      server("training_load", "float"),
      server("load_method", "text"),
      server("analyzed_at", "instant"),
    ],
  },
  daily_metrics: {
    name: "daily_metrics",
    columns: [
      { name: "date", kind: "date", writer: "device", push: dateString, required: true },
      { name: "resting_hr", kind: "integer", writer: "device", push: int(0, 300).nullable() },
      { name: "hrv_rmssd", kind: "float", writer: "device", push: float(0, 10_000).nullable() },
      { name: "sleep_hours", kind: "float", writer: "device", push: float(0, 24).nullable() },
      { name: "soreness_score", kind: "integer", writer: "device", push: int(0, 100).nullable() },
      { name: "stress_score", kind: "integer", writer: "device", push: int(0, 100).nullable() },
      server("readiness_score", "integer"),
      server("acute_load", "float"),
      server("chronic_load", "float"),
      server("acwr", "float"),
      server("acwr_flag", "boolean"),
      server("analyzed_at", "instant"),
    ],
  },
  training_plans: {
    name: "training_plans",
    columns: [
      { name: "goal_race_date", kind: "date", writer: "device", push: dateString.nullable() },
      { name: "current_phase", kind: "text", writer: "device", push: text(100) },
    ],
  },
  scheduled_workouts: {
    name: "scheduled_workouts",
    columns: [
      {
        name: "plan_id",
        kind: "text",
        writer: "device",
        push: z.preprocess((value) => (value === "" ? null : value), z.string().regex(syncIdPattern).nullable()),
      },
      { name: "date", kind: "date", writer: "device", push: dateString, required: true },
      {
        name: "type",
        kind: "text",
        writer: "device",
        push: oneOf(["long_run", "interval", "tempo", "easy", "recovery", "race", "cross_training", "rest"] as const),
      },
      { name: "description", kind: "text", writer: "device", push: text(2000) },
      { name: "target_distance_meters", kind: "float", writer: "device", push: float(0, 1e9).nullable() },
      { name: "target_duration_sec", kind: "integer", writer: "device", push: int(0, 2_000_000_000).nullable() },
      { name: "status", kind: "text", writer: "device", push: oneOf(["pending", "completed", "skipped"] as const) },
      server("completed_activity_id", "text"),
    ],
  },
};

export const syncIdSchema = z.string().regex(syncIdPattern, "must be a WatermelonDB id: [0-9A-Za-z_.-], 1 to 64 characters");

/**
 * A pushed raw record: the id and the writable columns. A column left out keeps its server value
 * (an older app without it); unknown keys, server-owned columns and `_status`/`_changed` are
 * dropped. A `created` record must carry the columns the row cannot exist without; `create`-only
 * columns (an activity's source, its created_at) count only there.
 */
function pushRecordSchema(table: SyncTable, as: "created" | "updated") {
  const shape: Record<string, z.ZodType> = { id: syncIdSchema };
  for (const column of table.columns) {
    if (column.writer === "server" || !column.push) continue;
    if (column.writer === "create" && as === "updated") continue;
    shape[column.name] = column.required && as === "created" ? column.push : column.push.optional();
  }
  return z.object(shape);
}

export type PushedRecord = { id: string } & Record<string, unknown>;

export const pushRecordSchemas = Object.fromEntries(
  syncTableNames.map((name) => [
    name,
    { created: pushRecordSchema(syncTables[name], "created"), updated: pushRecordSchema(syncTables[name], "updated") },
  ]),
) as unknown as Record<SyncTableName, { created: z.ZodType<PushedRecord>; updated: z.ZodType<PushedRecord> }>;

const wireKind: Record<Kind, z.ZodType> = {
  text: z.string().nullable(),
  integer: z.number().int().nullable(),
  float: z.number().nullable(),
  boolean: z.boolean().nullable(),
  date: z.string().nullable().openapi({ example: "2026-03-01" }),
  instant: z.number().int().nullable().openapi({ example: 1772352000000 }),
};

/** A pulled raw record: the id and every column of the table (server-owned included), never `_status`/`_changed`. */
export function pullRecordSchema(table: SyncTable) {
  const shape: Record<string, z.ZodType> = { id: z.string() };
  for (const column of table.columns) shape[column.name] = wireKind[column.kind];
  return z.object(shape) as unknown as z.ZodType<PulledRecord>;
}

export type PulledRecord = { id: string } & Record<string, string | number | boolean | null>;
