declare module "vitest" {
  export interface ProvidedContext {
    dbKind: "pglite" | "postgres";
    postgresUrl: string;
    redisUrl: string;
    /** pglite: path of a dump of a migrated database; postgres: name of a migrated template database. */
    template: string;
  }
}

export {};
