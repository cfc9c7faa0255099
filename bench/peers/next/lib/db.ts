import pg from "pg";

// One pool per server process (module scope survives across requests in `next start`).
export const pool = new pg.Pool({ connectionString: process.env.DATABASE_URL, max: Number(process.env.DATABASE_POOL_MAX ?? 10) });
