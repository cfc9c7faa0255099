import type { TableDeclaration } from "../../platform/module.ts";

const ts = "timestamp with time zone";
const float = "double precision";
/** Columns every synced table has (migrations/training/0001: change tracking). */
const syncColumns = {
  id: "text",
  user_id: "text",
  server_created_at: "bigint",
  server_changed_at: "bigint",
  push_last_pulled_at: "bigint",
};

/** The training module's tables (migrations/training), checked by `backplane db:validate`. */
export const trainingTables: TableDeclaration[] = [
  { name: "training.profiles", class: "user", columns: { user_id: "text", settings: "jsonb", created_at: ts, updated_at: ts } },
  { name: "training.sync_clocks", class: "user", columns: { user_id: "text", last_ms: "bigint" } },
  {
    name: "training.sync_tombstones",
    class: "user",
    columns: { user_id: "text", table_name: "text", record_id: "text", server_changed_at: "bigint" },
  },
  {
    name: "training.tombstone_horizon",
    class: "global",
    why: "one row: the stamp before which deletions were purged (no user data)",
    columns: { purged_before: "bigint", purged_at: ts },
  },
  {
    name: "training.activities",
    class: "user",
    columns: {
      ...syncColumns,
      external_id: "text",
      source: "text",
      type: "text",
      start_time: ts,
      duration_sec: "integer",
      distance_meters: float,
      avg_hr: "integer",
      max_hr: "integer",
      data_stream: "jsonb",
      rpe: "integer",
      created_at: ts,
      trimp: float,
      training_load: float,
      load_method: "text",
      analyzed_at: ts,
    },
  },
  {
    name: "training.daily_metrics",
    class: "user",
    columns: {
      ...syncColumns,
      date: "date",
      resting_hr: "integer",
      hrv_rmssd: float,
      sleep_hours: float,
      soreness_score: "integer",
      stress_score: "integer",
      readiness_score: "integer",
      acute_load: float,
      chronic_load: float,
      acwr: float,
      acwr_flag: "boolean",
      analyzed_at: ts,
    },
  },
  {
    name: "training.training_plans",
    class: "user",
    columns: { ...syncColumns, goal_race_date: "date", current_phase: "text" },
  },
  {
    name: "training.scheduled_workouts",
    class: "user",
    columns: {
      ...syncColumns,
      plan_id: "text",
      date: "date",
      type: "text",
      description: "text",
      target_distance_meters: float,
      target_duration_sec: "integer",
      status: "text",
      completed_activity_id: "text",
    },
  },
];
