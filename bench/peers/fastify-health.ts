/**
 * Scenario 1 baseline: the same `/api/health` answer from Fastify, written the way its docs
 * show (a route with a response schema, so fast-json-stringify serializes it), logger off
 * like Backplane's LOG_LEVEL=warn run. Started by the runner with PORT set; benchmark only.
 */
import Fastify from "fastify";

const app = Fastify({ logger: false, keepAliveTimeout: 30_000 });

app.get(
  "/api/health",
  { schema: { response: { 200: { type: "object", properties: { ok: { type: "boolean" } }, required: ["ok"] } } } },
  async () => ({ ok: true }),
);

await app.listen({ port: Number(process.env.PORT), host: "127.0.0.1" });
process.on("SIGTERM", () => {
  app.close().then(() => process.exit(0));
});
