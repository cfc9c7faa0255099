/**
 * Trigger-intake ceiling: `POST /t/:key` on bare node:http with pg (a pool of DATABASE_POOL_MAX
 * like Backplane's): read the body (512 KB cap), parse the JSON, insert one row, answer 202.
 * No key lookup, no idempotency, no inbox, no run, no job: what Node and one INSERT can do.
 * Benchmark only.
 */
import { randomUUID } from "node:crypto";
import http from "node:http";
import pg from "pg";

const pool = new pg.Pool({ connectionString: process.env.DATABASE_URL, max: Number(process.env.DATABASE_POOL_MAX ?? 10) });
await pool.query(
  "CREATE TABLE IF NOT EXISTS bench_bare_events (id uuid PRIMARY KEY, body jsonb NOT NULL, received_at timestamptz NOT NULL DEFAULT now())",
);

const server = http.createServer((request, response) => {
  if (request.method !== "POST" || !request.url?.startsWith("/t/")) {
    response.writeHead(404).end();
    return;
  }
  const chunks: Buffer[] = [];
  let size = 0;
  request.on("data", (chunk: Buffer) => {
    size += chunk.length;
    if (size > 524_288) {
      response.writeHead(413).end();
      request.destroy();
      return;
    }
    chunks.push(chunk);
  });
  request.on("end", async () => {
    try {
      const body = JSON.parse(Buffer.concat(chunks).toString("utf8"));
      const id = randomUUID();
      await pool.query("INSERT INTO bench_bare_events (id, body) VALUES ($1, $2)", [id, body]);
      const answer = JSON.stringify({ eventId: id });
      response.writeHead(202, { "content-type": "application/json", "content-length": Buffer.byteLength(answer) });
      response.end(answer);
    } catch {
      response.writeHead(500).end();
    }
  });
});
server.keepAliveTimeout = 30_000;
server.listen(Number(process.env.PORT), "127.0.0.1");
process.on("SIGTERM", () => server.close(() => pool.end().then(() => process.exit(0))));
