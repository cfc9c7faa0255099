import pg from "pg";
import { isConnectionError } from "./connection-errors.ts";
import type { Database, Orm, Sql } from "./database.ts";

interface Queryable {
  query(text: string, params?: unknown[]): Promise<pg.QueryResult>;
}

function sqlOver(client: Queryable): Sql {
  return {
    async query<Row>(text: string, params: readonly unknown[] = []) {
      const result: pg.QueryResult | pg.QueryResult[] = await client.query(text, [...params]);
      // Several statements (no parameters: the simple protocol) answer a result each: the last one's rows.
      return (Array.isArray(result) ? (result.at(-1)?.rows ?? []) : result.rows) as Row[];
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
    // While checked out, a client whose connection dies between statements emits 'error'; with
    // no listener that is an uncaught exception that ends the process. Keep it, and destroy the
    // client on release instead of handing a dead connection back to the pool.
    let broken: Error | undefined;
    const onError = (error: Error) => {
      broken = error;
    };
    client.on("error", onError);
    try {
      return await fn(sqlOver(client));
    } catch (error) {
      if (isConnectionError(error)) broken ??= error as Error;
      throw error;
    } finally {
      client.off("error", onError);
      client.release(broken);
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
