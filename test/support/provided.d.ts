declare module "vitest" {
  export interface ProvidedContext {
    dbKind: "pglite" | "postgres";
    postgresUrl: string;
    redisUrl: string;
    /** A transaction-pooling PgBouncer in front of the postgres server; "" when none. */
    pgbouncerUrl: string;
    /** Where the admin browser test writes page screenshots; "" for none. */
    adminScreenshotDir: string;
    /** pglite: path of a dump of a migrated database; postgres: name of a migrated template database. */
    template: string;
  }
}

export {};
