/**
 * Scenario 1 baseline: the same `/api/health` answer from bare node:http, no framework.
 * Started by the runner with PORT set; benchmark only.
 */
import http from "node:http";

const body = JSON.stringify({ ok: true });

const server = http.createServer((request, response) => {
  if (request.method === "GET" && request.url === "/api/health") {
    response.writeHead(200, { "content-type": "application/json", "content-length": Buffer.byteLength(body) });
    response.end(body);
    return;
  }
  response.writeHead(404).end();
});
server.keepAliveTimeout = 30_000;
server.listen(Number(process.env.PORT), "127.0.0.1");
process.on("SIGTERM", () => server.close(() => process.exit(0)));
