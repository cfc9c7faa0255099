import pg from "pg";
// pg's own parameter conversion (Dates, Buffers, arrays, JSON), so a batch binds exactly as a query does.
import pgUtils from "pg/lib/utils.js";
import { statementName } from "./statement-names.ts";
import { answersTimesAsText, textTimeTypes } from "./text-times.ts";

export interface Statement {
  text: string;
  params?: readonly unknown[];
  /**
   * The statement answers no rows (the tenant settings): in a batch it is written without
   * Describe, so PostgreSQL sends no row description for the driver to parse.
   */
  noRows?: boolean;
}

/** The wire calls a batch makes; pg's Connection has these (see pg/lib/connection.js). */
interface Wire {
  /** Statement names this connection has prepared, with their text: pg's own bookkeeping. */
  parsedStatements: Record<string, string>;
  close(message: { type: "S"; name: string }): void;
  parse(message: { text: string; name: string }): void;
  bind(message: { portal: string; statement: string; values: unknown[] }): void;
  describe(message: { type: "P"; name: string }): void;
  execute(message: { portal: string; rows: number }): void;
  sync(): void;
}

/**
 * Several parameterized statements written as one extended-protocol pipeline with a single Sync:
 * PostgreSQL runs them in order in one implicit transaction, stops at the first error (the rest
 * are skipped, nothing commits) and answers once. A one-statement tenant read is then one round
 * trip, its settings included (`SELECT set_config(…, true)` then the query), with every value a
 * parameter. It is a pg `Query` (so it is accepted by pipelining clients too) whose multi-result
 * bookkeeping already splits the answers per statement; only the writing differs.
 */
class StatementBatch extends pg.Query {
  readonly #statements: PreparedStatement[];
  readonly #closing: readonly string[];
  /** Names this batch asked PostgreSQL to prepare, and the connection it was written on. */
  readonly parsedHere: string[] = [];
  wire: Wire | undefined;

  constructor(
    statements: PreparedStatement[],
    callback: (error: Error | null, result: unknown) => void,
    /** Prepared statements to drop first (Close: no error for one that does not exist). */
    closing: readonly string[] = [],
  ) {
    // One set of type parsers serves every result of the batch: text times if any statement asks.
    const types = statements.some(({ text }) => answersTimesAsText(text)) ? textTimeTypes : undefined;
    super({ text: statements[0]?.text ?? "", callback, types } as pg.QueryConfig);
    this.#statements = statements;
    this.#closing = closing;
  }

  requiresPreparation(): boolean {
    return true;
  }

  prepare(connection: Wire): void {
    this.wire = connection;
    for (const name of this.#closing) connection.close({ type: "S", name });
    for (const { text, values, name = "", noRows } of this.#statements) {
      if (name === "" || connection.parsedStatements[name] !== text) {
        // A name this connection may or may not hold (an earlier batch failed before its Parse
        // was answered): Close first, which is no error for a statement that does not exist.
        if (name !== "") connection.close({ type: "S", name });
        connection.parse({ text, name });
        if (name !== "") {
          connection.parsedStatements[name] = text;
          this.parsedHere.push(name);
        }
      }
      connection.bind({ portal: "", statement: name, values });
      if (!noRows) connection.describe({ type: "P", name: "" });
      connection.execute({ portal: "", rows: 0 });
    }
    connection.sync();
  }
}

interface PreparedStatement {
  text: string;
  values: unknown[];
  name?: string | undefined;
  noRows?: boolean | undefined;
}

/**
 * Runs `statements` on `client` as one implicit transaction in one round trip and answers each
 * statement's rows; with `prepare`, as named statements (statement-names.ts). Values are converted
 * before anything is written, so a value pg cannot send fails the batch without a byte on the wire.
 */
export function runStatementBatch(client: pg.PoolClient, statements: readonly Statement[], prepare = false): Promise<unknown[][]> {
  if (statements.length === 0) return Promise.resolve([]);
  let prepared: PreparedStatement[];
  try {
    prepared = statements.map(({ text, params = [], noRows }) => ({
      text,
      noRows,
      values: params.map((value) => pgUtils.prepareValue(value)),
      name: prepare ? statementName(text) : undefined,
    }));
  } catch (error) {
    return Promise.reject(error);
  }
  return new Promise((resolve, reject) => {
    const batch = new StatementBatch(prepared, (error, result) => {
      if (error) {
        // After an error PostgreSQL skipped the rest, Parses included, but kept those it had
        // done: which is unknown here, so drop them all (Close) and forget them, before the
        // connection serves anything else.
        const wire = batch.wire;
        if (batch.parsedHere.length === 0 || !wire) return reject(error);
        for (const name of batch.parsedHere) delete wire.parsedStatements[name];
        client.query(new StatementBatch([], () => reject(error), batch.parsedHere) as unknown as pg.QueryConfig);
        return;
      }
      const results = (Array.isArray(result) ? result : [result]) as pg.QueryResult[];
      resolve(results.map((each) => each.rows));
    });
    client.query(batch as unknown as pg.QueryConfig);
  });
}
