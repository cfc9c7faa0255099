import { z } from "@hono/zod-openapi";
import { pullRecordSchema, pushRecordSchemas, type SyncTableName, syncIdSchema, syncTableNames, syncTables } from "./sync-tables.ts";

/** At most this many records per table and kind in one push (the body limit usually binds first). */
export const MAX_PUSHED_PER_KIND = 20_000;

const timestampSchema = z
  .number()
  .int()
  .positive()
  .describe("Epoch ms from the server's change clock, as returned by the last pull")
  .openapi({ example: 1772352000123 });

/** WatermelonDB's `migration` pull argument: what the app's local schema migrations added since the last sync. */
export const migrationSchema = z
  .object({
    from: z.number().int().min(0),
    tables: z.array(z.string().max(64)).max(100),
    columns: z.array(z.object({ table: z.string().max(64), columns: z.array(z.string().max(64)).max(200) })).max(100),
  })
  .nullable()
  .describe("Null unless the app migrated its local schema since the last sync (WatermelonDB migration syncs)");

export type SyncMigration = z.infer<typeof migrationSchema>;

const pushTableSchema = (name: SyncTableName) =>
  z.object({
    created: z.array(pushRecordSchemas[name].created).max(MAX_PUSHED_PER_KIND).default([]),
    updated: z.array(pushRecordSchemas[name].updated).max(MAX_PUSHED_PER_KIND).default([]),
    deleted: z.array(syncIdSchema).max(MAX_PUSHED_PER_KIND).default([]),
  });

const activityExample = {
  id: "Hj3kP9qLm2Xw7RtA",
  source: "manual",
  type: "run",
  start_time: 1772352000000,
  duration_sec: 2700,
  distance_meters: 8000,
  avg_hr: 148,
  max_hr: 171,
  rpe: 6,
  created_at: 1772355000000,
};

const notSynced = "not a synced table: it may be listed only with empty created, updated and deleted";
/**
 * WatermelonDB's push lists every local collection, app-only ones included (usually empty): such a
 * table is accepted and ignored while empty, refused (400) when it carries records.
 */
const localOnlyTableSchema = z.object({
  created: z.array(z.unknown()).max(0, notSynced).default([]),
  updated: z.array(z.unknown()).max(0, notSynced).default([]),
  deleted: z.array(z.unknown()).max(0, notSynced).default([]),
});

/** The changes object of a push (WatermelonDB's `changes`): the synced tables, each optional; other tables only empty. */
export const pushChangesBodySchema = z
  .object(
    Object.fromEntries(syncTableNames.map((name) => [name, pushTableSchema(name).optional()])) as Record<
      SyncTableName,
      z.ZodOptional<ReturnType<typeof pushTableSchema>>
    >,
  )
  .catchall(localOnlyTableSchema)
  .openapi("SyncPushChanges", {
    example: {
      activities: { created: [activityExample], updated: [], deleted: [] },
      daily_metrics: {
        created: [],
        updated: [
          {
            id: "Qw8eRt5yUi2oPa7S",
            date: "2026-03-01",
            resting_hr: 47,
            hrv_rmssd: 68.5,
            sleep_hours: 7.5,
            soreness_score: 2,
            stress_score: 3,
          },
        ],
        deleted: [],
      },
      training_plans: { created: [], updated: [], deleted: [] },
      scheduled_workouts: { created: [], updated: [], deleted: ["Zx4cVb6nMm1lKj9H"] },
    },
  });

export type PushChanges = z.infer<typeof pushChangesBodySchema>;

const pullTableSchema = (name: SyncTableName) => {
  const record = pullRecordSchema(syncTables[name]);
  return z.object({ created: z.array(record), updated: z.array(record), deleted: z.array(z.string()) });
};

const pulledActivityExample = {
  ...activityExample,
  external_id: null,
  trimp: 92.4,
  training_load: 92.4,
  load_method: "trimp",
  analyzed_at: 1772355004000,
};

export const pullResultSchema = z
  .object({
    changes: z.object(
      Object.fromEntries(syncTableNames.map((name) => [name, pullTableSchema(name)])) as Record<
        SyncTableName,
        ReturnType<typeof pullTableSchema>
      >,
    ),
    timestamp: timestampSchema.describe("Pass it as lastPulledAt next time: every change after it comes in the next pull"),
    experimentalStrategy: z
      .literal("replacement")
      .optional()
      .describe(
        "Present when lastPulledAt is older than the tombstone purge horizon: `changes` is the full set, and the app replaces its synced records with it",
      ),
  })
  .openapi("SyncPullResult", {
    example: {
      changes: {
        activities: { created: [pulledActivityExample], updated: [], deleted: ["Zx4cVb6nMm1lKj9G"] },
        daily_metrics: { created: [], updated: [], deleted: [] },
        training_plans: { created: [], updated: [], deleted: [] },
        scheduled_workouts: { created: [], updated: [], deleted: [] },
      },
      timestamp: 1772355010000,
    },
  });

export type PullResult = z.infer<typeof pullResultSchema>;

/** tRPC `sync.pullChanges`: WatermelonDB's pullChanges arguments. */
export const pullInputSchema = z.object({
  lastPulledAt: z.number().int().min(0).nullable().optional().describe("Null or absent on the first sync (everything is returned)"),
  schemaVersion: z.number().int().min(1).describe("The app's local schema version"),
  migration: migrationSchema.optional(),
});

/** tRPC `sync.pushChanges`: WatermelonDB's pushChanges arguments. */
export const pushInputSchema = z.object({ changes: pushChangesBodySchema, lastPulledAt: timestampSchema });

export const pushResultSchema = z.object({ ok: z.literal(true) }).openapi("SyncPushResult", { example: { ok: true } });

// WatermelonDB's documented fetch example interpolates `lastPulledAt` into the URL: the first sync sends "null".
const absent = new Set(["", "null", "undefined", "0"]);

/** GET /api/sync/pull query. */
export const pullQuerySchema = z.object({
  last_pulled_at: z
    .string()
    .regex(/^(\d{1,16}|null|undefined)?$/, "must be epoch ms from the last pull, or null on the first sync")
    .optional()
    .transform((value) => (value === undefined || absent.has(value) ? null : Number(value)))
    .openapi({
      param: { name: "last_pulled_at", in: "query" },
      example: "1772352000123",
      description: "The timestamp of the last pull; null or absent on the first sync",
    }),
  schema_version: z
    .string()
    .regex(/^[1-9]\d{0,5}$/, "must be the app's schema version (a positive integer)")
    .transform(Number)
    .openapi({ param: { name: "schema_version", in: "query" }, example: "1" }),
  migration: z
    .string()
    .max(16_384)
    .optional()
    .openapi({
      param: { name: "migration", in: "query" },
      example: "null",
      description: "WatermelonDB's migration argument, JSON-encoded",
    }),
});

/** POST /api/sync/push query. */
export const pushQuerySchema = z.object({
  last_pulled_at: z
    .string()
    .regex(/^\d{1,16}$/, "must be the timestamp of the last pull (epoch ms)")
    .transform(Number)
    .openapi({ param: { name: "last_pulled_at", in: "query" }, example: "1772352000123" }),
});
