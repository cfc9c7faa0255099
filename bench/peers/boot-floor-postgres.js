/**
 * Scenario 6 floor for a PostgreSQL boot: node:http + pg, nothing else. `/api/health` answers 200
 * after a `SELECT 1` on the pool, so the first 200 pays Node's start, importing pg, one connection
 * and one query: what any server on this stack pays before it can answer. Plain JavaScript, so no
 * type stripping is counted. Started by bench/boot.ts with PORT and DATABASE_URL; benchmark only.
 */
import http from "node:http";
import pg from "pg";

const pool = new pg.Pool({ connectionString: process.env.DATABASE_URL, max: 1 });

const server = http.createServer((request, response) => {
  pool.query("SELECT 1").then(
    () => response.writeHead(request.url === "/api/health" ? 200 : 404).end(),
    () => response.writeHead(503).end(),
  );
});
server.listen(Number(process.env.PORT), "127.0.0.1");
process.on("SIGTERM", () => server.close(() => pool.end().then(() => process.exit(0))));
