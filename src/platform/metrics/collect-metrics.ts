import type { Catalog } from "../catalog.ts";
import type { Sql } from "../db/database.ts";
import { clockOf } from "../identity/identity-settings.ts";
import { readQueueMetrics } from "../jobs/queue-metrics.ts";
import type { Services } from "../module.ts";
import { asService } from "../tenancy/with-tenant.ts";

export interface MetricsSnapshot {
  /** Distinct users with a session (or a linked external sign-in) seen in the window. */
  activeUsers: { last24h: number; last30d: number };
  users: number;
  /** Per queue: jobs waiting (created + retry), running, and dead-lettered. Empty when the queue is off. */
  queues: Record<string, { waiting: number; active: number; deadLetter: number }>;
  /** Bytes on disk (with indexes and TOAST) per table of the platform, the modules and the queue. */
  tables: Record<string, number>;
  databaseBytes: number;
  /** The modules' registered figures for the window since the previous snapshot (e.g. `insights.events_ingested`). */
  sources: Record<string, number>;
}

async function activeUsers(tx: Sql, now: Date, days: number): Promise<number> {
  const [row] = await tx.query<{ count: string }>(
    `SELECT count(DISTINCT user_id)::text AS count FROM (
       SELECT user_id FROM backplane.sessions WHERE last_seen_at > $1::timestamptz - make_interval(days => $2)
       UNION ALL
       SELECT user_id FROM backplane.external_identities WHERE last_seen_at > $1::timestamptz - make_interval(days => $2)
     ) seen`,
    [now, days],
  );
  return Number(row?.count ?? 0);
}

async function tableSizes(tx: Sql, schemas: string[]): Promise<Record<string, number>> {
  // A partitioned table (pg-boss's job table) is the sum of its partitions.
  const rows = await tx.query<{ name: string; bytes: string }>(
    `SELECT n.nspname || '.' || c.relname AS name,
       (CASE WHEN c.relkind = 'p'
         THEN (SELECT coalesce(sum(pg_total_relation_size(p.relid)), 0) FROM pg_partition_tree(c.oid) p)
         ELSE pg_total_relation_size(c.oid) END)::text AS bytes
     FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
     WHERE n.nspname = ANY($1::text[]) AND c.relkind IN ('r', 'p') AND NOT c.relispartition
     ORDER BY 1`,
    [schemas],
  );
  return Object.fromEntries(rows.map((row) => [row.name, Number(row.bytes)]));
}

/**
 * One snapshot per tick (the unique tick makes a second collection of the same tick a no-op):
 * active users, queue depths, table sizes and every registered metric source.
 */
export async function collectMetrics(
  services: Services,
  catalog: Catalog,
  tick: Date,
): Promise<{ ok: boolean; result: { snapshotId: string | null } }> {
  const queueOn = await services.db.query<{ present: boolean }>("SELECT to_regclass('pgboss.job') IS NOT NULL AS present");
  const queues: MetricsSnapshot["queues"] = {};
  if (queueOn[0]?.present) {
    for (const queue of await readQueueMetrics(services.db)) {
      queues[queue.queue] = {
        waiting: queue.counts.created + queue.counts.retry,
        active: queue.counts.active,
        deadLetter: queue.deadLetter,
      };
    }
  }
  const snapshotId = await asService(services.db, "metrics: collect", async (tx) => {
    const [previous] = await tx.query<{ tick: Date }>(
      "SELECT tick FROM backplane.metric_snapshots WHERE tick < $1 ORDER BY tick DESC LIMIT 1",
      [tick],
    );
    const window = { from: previous ? new Date(previous.tick) : null, to: tick };
    const sources: Record<string, number> = {};
    for (const source of catalog.metricSources) sources[source.name] = await source.collect(tx, window);
    const [users] = await tx.query<{ count: string }>("SELECT count(*)::text AS count FROM backplane.users");
    const [database] = await tx.query<{ bytes: string }>("SELECT pg_database_size(current_database())::text AS bytes");
    const snapshot: MetricsSnapshot = {
      activeUsers: { last24h: await activeUsers(tx, tick, 1), last30d: await activeUsers(tx, tick, 30) },
      users: Number(users?.count ?? 0),
      queues,
      tables: await tableSizes(tx, [...catalog.schemas, "pgboss"]),
      databaseBytes: Number(database?.bytes ?? 0),
      sources,
    };
    const [row] = await tx.query<{ id: string }>(
      `INSERT INTO backplane.metric_snapshots (tick, collected_at, window_from, metrics) VALUES ($1, $2, $3, $4)
       ON CONFLICT (tick) DO NOTHING RETURNING id::text AS id`,
      [tick, clockOf(services), window.from, JSON.stringify(snapshot)],
    );
    return row?.id ?? null;
  });
  return { ok: true, result: { snapshotId } };
}
