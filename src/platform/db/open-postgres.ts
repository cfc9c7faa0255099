import pg from "pg";
import type { Database, Orm, Sql } from "./database.ts";

interface Queryable {
  query(text: string, params?: unknown[]): Promise<pg.QueryResult>;
}

function sqlOver(client: Queryable): Sql {
  return {
    async query<Row>(text: string, params: readonly unknown[] = []) {
      const result = await client.query(text, [...params]);
      return result.rows as Row[];
    },
    async exec(text: string) {
      // Without parameters pg uses the simple protocol, which accepts several statements.
      await client.query(text);
    },
  };
}

export interface PostgresOptions {
  url: string;
  poolMax: number;
  applicationName?: string;
}

/**
 * node-postgres, not postgres.js: pg-boss (the queue) is built on `pg`, so one driver
 * and one pool serve the app, the queue and Drizzle.
 */
export function openPostgres(options: PostgresOptions): Database & { pool: pg.Pool } {
  const pool = new pg.Pool({
    connectionString: options.url,
    max: options.poolMax,
    application_name: options.applicationName ?? "backplane",
    connectionTimeoutMillis: 5_000,
  });
  // An idle client that dies (server restart) must not crash the process.
  pool.on("error", () => {});
  const base = sqlOver(pool);
  let orm: Promise<Orm> | undefined;

  async function withSession<T>(fn: (session: Sql) => Promise<T>): Promise<T> {
    const client = await pool.connect();
    try {
      return await fn(sqlOver(client));
    } finally {
      client.release();
    }
  }

  return {
    kind: "postgres",
    pool,
    orm: () => (orm ??= import("drizzle-orm/node-postgres").then(({ drizzle }) => drizzle({ client: pool }) as Orm)),
    ...base,
    withSession,
    transaction: (fn) =>
      withSession(async (session) => {
        await session.exec("BEGIN");
        try {
          const result = await fn(session);
          await session.exec("COMMIT");
          return result;
        } catch (error) {
          await session.exec("ROLLBACK").catch(() => {});
          throw error;
        }
      }),
    async ping() {
      await base.query("SELECT 1");
    },
    async close() {
      if (!pool.ended) await pool.end();
    },
  };
}
