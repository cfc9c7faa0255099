/**
 * The one database seam. PGlite, its transactions, a pg Pool and a pg client all
 * fit behind `Sql`, so services take `db` or `tx` and never know which they got.
 */
export interface Sql {
  /** One statement, values always as $n parameters. */
  query<Row = Record<string, unknown>>(text: string, params?: readonly unknown[]): Promise<Row[]>;
  /** Several statements without parameters (migrations). */
  exec(text: string): Promise<void>;
}

import type { PgDatabase, PgQueryResultHKT } from "drizzle-orm/pg-core";
import type { Statement } from "./statement-batch.ts";

export type DatabaseKind = "pglite" | "postgres";

/** Drizzle over the same connection(s), for modules that prefer a typed query builder. */
export type Orm = PgDatabase<PgQueryResultHKT>;

export interface Database extends Sql {
  readonly kind: DatabaseKind;
  /**
   * Drizzle over the same connection(s). Loaded on first use: importing a Drizzle driver
   * costs ~250 MB of RSS, which a process that never uses it should not pay.
   */
  orm(): Promise<Orm>;
  /**
   * Runs `statements` in order as one transaction and answers each one's rows; the first error
   * rolls all of them back. On PostgreSQL they travel in one round trip (one Sync), which is
   * what makes a one-statement tenant read as cheap as a plain query (`asTenant`).
   */
  batch(statements: readonly Statement[]): Promise<unknown[][]>;
  /** Runs `fn` in one transaction: committed when it resolves, rolled back when it throws. */
  transaction<T>(fn: (tx: Sql) => Promise<T>): Promise<T>;
  /**
   * Runs `fn` on one dedicated session, for session state such as advisory locks.
   * (On PGlite every call shares the one session, which is what a lock needs there too.)
   */
  withSession<T>(fn: (session: Sql) => Promise<T>): Promise<T>;
  /** Cheap liveness probe used by health checks. */
  ping(): Promise<void>;
  close(): Promise<void>;
}
