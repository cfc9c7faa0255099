// The real WatermelonDB client in Node (LokiJS adapter, in memory): what the mobile app runs.
// See /work/shared/notes/watermelondb-in-node.md. The library ships CommonJS without types we
// can use here, so it is loaded with createRequire and typed by hand below.
import { createRequire } from "node:module";
import type { PullResult } from "../../src/modules/training/sync/schemas.ts";
import { trpcClient } from "./trpc-client.ts";

/** Where the server listens (a test harness or a benchmarked process). */
export interface SyncServer {
  url: string;
}

const require = createRequire(import.meta.url);
// biome-ignore lint/suspicious/noExplicitAny: untyped CommonJS
type Any = any;
const watermelon: Any = require("@nozbe/watermelondb");
const LokiJSAdapter: Any = require("@nozbe/watermelondb/adapters/lokijs").default;
const { synchronize }: Any = require("@nozbe/watermelondb/sync");
const logger: Any = require("@nozbe/watermelondb/utils/common/logger").default;

const { Database, Model, appSchema, tableSchema } = watermelon;

type ColumnType = "string" | "number" | "boolean";
const col = (name: string, type: ColumnType, isOptional = true) => ({ name, type, isOptional });

/** The app's local schema (version 1): the synced tables with every pulled column. */
export const clientSchema = appSchema({
  version: 1,
  tables: [
    tableSchema({
      name: "activities",
      columns: [
        col("external_id", "string"),
        col("source", "string"),
        col("type", "string"),
        col("start_time", "number", false),
        col("duration_sec", "number"),
        col("distance_meters", "number"),
        col("avg_hr", "number"),
        col("max_hr", "number"),
        col("rpe", "number"),
        col("created_at", "number", false),
        col("trimp", "number"),
        col("training_load", "number"),
        col("load_method", "string"),
        col("analyzed_at", "number"),
      ],
    }),
    tableSchema({
      name: "daily_metrics",
      columns: [
        col("date", "string", false),
        col("resting_hr", "number"),
        col("hrv_rmssd", "number"),
        col("sleep_hours", "number"),
        col("soreness_score", "number"),
        col("stress_score", "number"),
        col("readiness_score", "number"),
        col("acute_load", "number"),
        col("chronic_load", "number"),
        col("acwr", "number"),
        col("acwr_flag", "boolean"),
        col("analyzed_at", "number"),
      ],
    }),
    tableSchema({ name: "training_plans", columns: [col("goal_race_date", "string"), col("current_phase", "string")] }),
    tableSchema({
      name: "scheduled_workouts",
      columns: [
        { name: "plan_id", type: "string", isOptional: true, isIndexed: true },
        col("date", "string", false),
        col("type", "string"),
        col("description", "string"),
        col("target_distance_meters", "number"),
        col("target_duration_sec", "number"),
        col("status", "string"),
        col("completed_activity_id", "string"),
      ],
    }),
  ],
});

export type SyncedTable = "activities" | "daily_metrics" | "training_plans" | "scheduled_workouts";
const tableNames: SyncedTable[] = ["activities", "daily_metrics", "training_plans", "scheduled_workouts"];

// Models need no decorators: the raw accessors are what @field uses underneath.
const modelClasses = tableNames.map((table) => {
  const Named = class extends Model {
    static table = table;
  };
  return Named;
});

/** Every anomaly WatermelonDB reports through its logger (it logs rather than throws them). */
export const watermelonLog: string[] = [];
// Loki's progress lines ("Setting up schema"…) are noise here.
logger.log = () => {};
logger.debug = () => {};
for (const level of ["warn", "error"] as const) {
  logger[level] = (...messages: unknown[]) => {
    const line = messages.map((message) => (message instanceof Error ? message.message : String(message))).join(" ");
    if (!line.includes("useIncrementalIndexedDB: false} option is now deprecated")) watermelonLog.push(line);
  };
}

export type Raw = Record<string, unknown> & { id: string };

export interface Device {
  database: Any;
  /** Runs the real `synchronize()` against the server. */
  sync(options?: { beforePush?: () => Promise<void>; afterPush?: () => Promise<void> }): Promise<void>;
  create(table: SyncedTable, values: Record<string, unknown>): Promise<Raw>;
  update(table: SyncedTable, id: string, values: Record<string, unknown>): Promise<void>;
  /** A syncable delete (`markAsDeleted`). */
  remove(table: SyncedTable, id: string): Promise<void>;
  /** The local records of a table, raw and without `_status`/`_changed`. */
  all(table: SyncedTable): Promise<Raw[]>;
  find(table: SyncedTable, id: string): Promise<Raw | null>;
  /** The raw local record with its sync status. */
  status(table: SyncedTable, id: string): Promise<string | null>;
  lastPulledAt(): Promise<number | null>;
}

export type Transport = "trpc" | "rest";

interface PullArgs {
  lastPulledAt: number | null | undefined;
  schemaVersion: number;
  migration: unknown;
}
interface PushArgs {
  changes: Record<string, unknown>;
  lastPulledAt: number;
}

/** pullChanges/pushChanges for `synchronize()`, as the app writes them for each transport. */
export function transportFor(
  h: SyncServer,
  transport: Transport,
  token: () => string,
): { pull(args: PullArgs): Promise<PullResult>; push(args: PushArgs): Promise<void> } {
  if (transport === "trpc") {
    const trpc = () => trpcClient(h.url, token());
    return {
      pull: ({ lastPulledAt, schemaVersion, migration }: PullArgs) =>
        trpc().sync.pullChanges.query({ lastPulledAt: lastPulledAt ?? null, schemaVersion, migration: migration as null }),
      push: async ({ changes, lastPulledAt }: PushArgs) => {
        await trpc().sync.pushChanges.mutate({ changes: changes as never, lastPulledAt });
      },
    };
  }
  // WatermelonDB's documented fetch example (docs "Sync/Frontend"), against the REST mirrors.
  return {
    pull: async ({ lastPulledAt, schemaVersion, migration }: PullArgs) => {
      const params = `last_pulled_at=${lastPulledAt}&schema_version=${schemaVersion}&migration=${encodeURIComponent(JSON.stringify(migration))}`;
      const response = await fetch(`${h.url}/api/sync/pull?${params}`, { headers: { authorization: `Bearer ${token()}` } });
      if (!response.ok) throw new Error(`pull ${response.status}: ${await response.text()}`);
      return (await response.json()) as PullResult;
    },
    push: async ({ changes, lastPulledAt }: PushArgs) => {
      const response = await fetch(`${h.url}/api/sync/push?last_pulled_at=${lastPulledAt}`, {
        method: "POST",
        headers: { authorization: `Bearer ${token()}`, "content-type": "application/json" },
        body: JSON.stringify(changes),
      });
      if (!response.ok) throw new Error(`push ${response.status}: ${await response.text()}`);
    },
  };
}

const clean = (raw: Any): Raw => {
  const { _status, _changed, ...rest } = raw;
  return rest;
};

/** A phone: its own in-memory WatermelonDB, syncing as `token()` over `transport`. */
export function createDevice(h: SyncServer, transport: Transport, token: () => string): Device {
  const adapter = new LokiJSAdapter({
    schema: clientSchema,
    useWebWorker: false,
    // Deprecated (it logs so once per adapter), but the in-memory Node setup needs it.
    useIncrementalIndexedDB: false,
    extraLokiOptions: { autosave: false },
  });
  const database = new Database({ adapter, modelClasses });
  const { pull, push } = transportFor(h, transport, token);
  const findRecord = async (table: SyncedTable, id: string) => {
    try {
      return await database.get(table).find(id);
    } catch {
      return null;
    }
  };
  return {
    database,
    async sync(options = {}) {
      await synchronize({
        database,
        pullChanges: pull,
        pushChanges: async (args: PushArgs) => {
          await options.beforePush?.();
          await push(args);
          await options.afterPush?.();
        },
      });
    },
    async create(table, values) {
      const record = await database.write(() =>
        database.get(table).create((r: Any) => {
          for (const [key, value] of Object.entries(values)) r._setRaw(key, value);
        }),
      );
      return clean(record._raw);
    },
    async update(table, id, values) {
      const record = await database.get(table).find(id);
      await database.write(() =>
        record.update((r: Any) => {
          for (const [key, value] of Object.entries(values)) r._setRaw(key, value);
        }),
      );
    },
    async remove(table, id) {
      const record = await database.get(table).find(id);
      await database.write(() => record.markAsDeleted());
    },
    async all(table) {
      const records = await database.get(table).query().fetch();
      return records.map((record: Any) => clean(record._raw));
    },
    async find(table, id) {
      const record = await findRecord(table, id);
      return record ? clean(record._raw) : null;
    },
    async status(table, id) {
      const record = await findRecord(table, id);
      return record ? record._raw._status : null;
    },
    async lastPulledAt() {
      const { getLastPulledAt } = require("@nozbe/watermelondb/sync/impl");
      return (await getLastPulledAt(database)) ?? null;
    },
  };
}
