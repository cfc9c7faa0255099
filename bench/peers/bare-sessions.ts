/**
 * Scenario 2 ceiling: `GET /api/biomech/sessions?orgId=…&limit=…` on bare node:http with the
 * same driver (pg, a pool of DATABASE_POOL_MAX like Backplane's) running the identical SQL and
 * returning the same JSON shape, with no auth, no validation and an unsigned cursor: what Node
 * can do for this work before any framework or safety is added. Benchmark only.
 */
import http from "node:http";
import pg from "pg";
import { type SessionRow, sessionColumns, toSession } from "../../src/modules/biomech/services/session-row.ts";

const pool = new pg.Pool({ connectionString: process.env.DATABASE_URL, max: Number(process.env.DATABASE_POOL_MAX ?? 10) });
const sql = `SELECT ${sessionColumns} FROM biomech.sessions
        WHERE org_id = $1 ORDER BY captured_at DESC, id DESC LIMIT $2`;

const server = http.createServer(async (request, response) => {
  const url = new URL(request.url ?? "/", "http://localhost");
  if (url.pathname !== "/api/biomech/sessions") {
    response.writeHead(404).end();
    return;
  }
  try {
    const limit = Number(url.searchParams.get("limit") ?? 25);
    const { rows } = await pool.query<SessionRow>(sql, [url.searchParams.get("orgId"), limit + 1]);
    const page = rows.slice(0, limit).map(toSession);
    const last = page.at(-1);
    const nextCursor =
      rows.length > limit && last ? Buffer.from(JSON.stringify({ capturedAt: last.capturedAt, id: last.id })).toString("base64url") : null;
    const body = JSON.stringify({ data: page, nextCursor });
    response.writeHead(200, { "content-type": "application/json", "content-length": Buffer.byteLength(body) });
    response.end(body);
  } catch {
    response.writeHead(500).end();
  }
});
server.keepAliveTimeout = 30_000;
server.listen(Number(process.env.PORT), "127.0.0.1");
process.on("SIGTERM", () => server.close(() => pool.end().then(() => process.exit(0))));
