import { PGlite, type Transaction } from "@electric-sql/pglite";
import type { Database, Orm, Sql } from "./database.ts";

function sqlOver(client: PGlite | Transaction): Sql {
  return {
    async query<Row>(text: string, params: readonly unknown[] = []) {
      const result = await client.query<Row>(text, [...params]);
      return result.rows;
    },
    async exec(text: string) {
      await client.exec(text);
    },
  };
}

/** Wraps an open PGlite instance (in-process Postgres) as a Database. */
export function pgliteDatabase(pglite: PGlite): Database & { pglite: PGlite } {
  const base = sqlOver(pglite);
  let orm: Promise<Orm> | undefined;
  return {
    kind: "pglite",
    pglite,
    orm: () => (orm ??= import("drizzle-orm/pglite").then(({ drizzle }) => drizzle({ client: pglite }) as Orm)),
    ...base,
    transaction: (fn) => pglite.transaction((tx) => fn(sqlOver(tx))),
    batch: (statements) =>
      pglite.transaction(async (tx) => {
        const answers: unknown[][] = [];
        for (const { text, params = [] } of statements) answers.push((await tx.query(text, [...params])).rows);
        return answers;
      }),
    withSession: (fn) => fn(base),
    async ping() {
      await base.query("SELECT 1");
    },
    async close() {
      if (!pglite.closed) await pglite.close();
    },
  };
}

/** Opens (creating on first use) the embedded database persisted in `dataDir`. */
export async function openPglite(dataDir: string | undefined, loadDataDir?: Blob): Promise<Database & { pglite: PGlite }> {
  const pglite = await PGlite.create(dataDir ? { dataDir, loadDataDir } : { loadDataDir });
  return pgliteDatabase(pglite);
}
