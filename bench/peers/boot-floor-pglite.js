/**
 * Scenario 6 floor for an embedded boot: node:http + PGlite opened on an existing data folder
 * (BACKPLANE_DATA_DIR, a copy of the one Backplane booted on), with the options Backplane's opener
 * uses (`PGlite.create({ dataDir })`, no extensions). `/api/health` answers 200 after a `SELECT 1`,
 * so the first 200 pays Node's start, importing PGlite, its start on that folder and one query.
 * Plain JavaScript, so no type stripping is counted. Started by bench/boot.ts; benchmark only.
 */
import http from "node:http";
import { PGlite } from "@electric-sql/pglite";

const opening = PGlite.create({ dataDir: process.env.BACKPLANE_DATA_DIR });

const server = http.createServer((request, response) => {
  opening
    .then((db) => db.query("SELECT 1"))
    .then(
      () => response.writeHead(request.url === "/api/health" ? 200 : 404).end(),
      () => response.writeHead(503).end(),
    );
});
server.listen(Number(process.env.PORT), "127.0.0.1");
process.on("SIGTERM", () => server.close(() => opening.then((db) => db.close()).finally(() => process.exit(0))));
