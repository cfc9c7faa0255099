import pg from "pg";
import { isConnectionError } from "./connection-errors.ts";
import type { Database, Orm, Sql } from "./database.ts";
import { runStatementBatch, type Statement } from "./statement-batch.ts";
import { statementName } from "./statement-names.ts";
import { answersTimesAsText, textTimeTypes } from "./text-times.ts";

interface Queryable {
  query(config: pg.QueryConfig): Promise<pg.QueryResult>;
}

function sqlOver(client: Queryable & { query(text: string, params?: unknown[]): Promise<pg.QueryResult> }, prepare: boolean): Sql {
  return {
    async query<Row>(text: string, params: readonly unknown[] = []) {
      const name = prepare && params.length > 0 ? statementName(text) : undefined;
      const types = answersTimesAsText(text) ? textTimeTypes : undefined;
      const result: pg.QueryResult | pg.QueryResult[] =
        name || types ? await client.query({ name, text, values: [...params], types }) : await client.query(text, [...params]);
      // Several statements (no parameters: the simple protocol) answer a result each: the last one's rows.
      return (Array.isArray(result) ? (result.at(-1)?.rows ?? []) : result.rows) as Row[];
    },
    async exec(text: string) {
      // Without parameters pg uses the simple protocol, which accepts several statements.
      await client.query(text);
    },
  };
}

/**
 * BEGIN, then `settings` (a statement of set_config calls, if any), written without waiting for
 * their answers, so they ride the first statement of `fn` in one round trip on a pipelining
 * client. The order on the wire is kept, so `fn` runs inside the transaction. BEGIN goes alone as a
 * simple query, which fails only with its connection; the settings carry their values as
 * parameters, so a value PostgreSQL refuses (a NUL byte, say) fails inside the transaction and
 * aborts it, and every statement of `fn` fails with it instead of running without them. The
 * opening's error wins, being the cause.
 */
export async function pipelinedTransaction<T>(session: Sql, settings: Statement | null, fn: (tx: Sql) => Promise<T>): Promise<T> {
  const begun = session.exec("BEGIN");
  const opened = (settings ? Promise.all([begun, session.query(settings.text, settings.params ?? [])]) : begun).then(
    () => null,
    (error: unknown) => ({ error }),
  );
  try {
    const result = await fn(session);
    const failed = await opened;
    if (failed) throw failed.error;
    await session.exec("COMMIT");
    return result;
  } catch (error) {
    const failed = await opened;
    await session.exec("ROLLBACK").catch(() => {});
    throw failed ? failed.error : error;
  }
}

export interface PostgresOptions {
  url: string;
  poolMax: number;
  applicationName?: string;
  /**
   * Prepare the statements marked with `prepared()` once per connection (default true). Off behind
   * a transaction pooler that does not carry prepared statements across its server connections
   * (PgBouncer before 1.21 or without max_prepared_statements, Supavisor in transaction mode).
   */
  preparedStatements?: boolean;
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
    // A statement issued while another is in flight goes out at once instead of after its answer:
    // a transaction's BEGIN (and a tenant's settings) share the first statement's round trip.
    pipeline: true,
  });
  // An idle client that dies (server restart) must not crash the process.
  pool.on("error", () => {});
  const prepare = options.preparedStatements ?? true;
  const base = sqlOver(pool, prepare);
  let orm: Promise<Orm> | undefined;

  async function withClient<T>(fn: (client: pg.PoolClient) => Promise<T>): Promise<T> {
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
      return await fn(client);
    } catch (error) {
      if (isConnectionError(error)) broken ??= error as Error;
      throw error;
    } finally {
      client.off("error", onError);
      client.release(broken);
    }
  }
  const withSession = <T>(fn: (session: Sql) => Promise<T>): Promise<T> => withClient((client) => fn(sqlOver(client, prepare)));

  return {
    kind: "postgres",
    pool,
    orm: () => (orm ??= import("drizzle-orm/node-postgres").then(({ drizzle }) => drizzle({ client: pool }) as Orm)),
    ...base,
    withSession,
    transaction: (fn) => withSession((session) => pipelinedTransaction(session, null, fn)),
    batch: (statements) => withClient((client) => runStatementBatch(client, statements, prepare)),
    async ping() {
      await base.query("SELECT 1");
    },
    async close() {
      if (!pool.ended) await pool.end();
    },
  };
}
