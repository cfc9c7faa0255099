/**
 * Scenario 1 baseline: the same `/api/health` answer from a bare Hono app on @hono/node-server
 * (the framework and adapter Backplane is built on, with nothing of Backplane's). Benchmark only.
 */
import { serve } from "@hono/node-server";
import { Hono } from "hono";

const app = new Hono();
app.get("/api/health", (c) => c.json({ ok: true }));
const server = serve({ fetch: app.fetch, port: Number(process.env.PORT), hostname: "127.0.0.1" });
process.on("SIGTERM", () => server.close(() => process.exit(0)));
