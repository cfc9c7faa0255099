import { setTimeout as sleep } from "node:timers/promises";
import { z } from "@hono/zod-openapi";
import { defineRoute } from "../../src/platform/http/define-route.ts";
import { defineModule } from "../../src/platform/module.ts";

/** A module that exists only in tests, to drive the platform's request handling. */
export const probeModule = defineModule({
  name: "probe",
  mediaTypes: { "/api/probe/form": ["application/x-www-form-urlencoded"] },
  registerRoutes(app) {
    app.openapi(
      defineRoute({
        method: "post",
        path: "/api/probe/echo/{id}",
        operationId: "echoProbe",
        security: [],
        request: {
          params: z.object({ id: z.string().regex(/^[a-z]+$/) }),
          query: z.object({ limit: z.coerce.number().int().min(1).max(100).default(25) }),
          body: {
            required: true,
            content: { "application/json": { schema: z.object({ name: z.string().min(1), count: z.number().int().min(1).max(10) }) } },
          },
        },
        responses: {
          200: {
            description: "Echo",
            content: {
              "application/json": { schema: z.object({ id: z.string(), limit: z.number(), name: z.string(), count: z.number() }) },
            },
          },
        },
      }),
      (c) => c.json({ ...c.req.valid("param"), ...c.req.valid("query"), ...c.req.valid("json") }, 200),
    );
    app.openapi(
      defineRoute({
        method: "get",
        path: "/api/probe/boom",
        operationId: "failProbe",
        security: [],
        responses: { 200: { description: "Never" } },
      }),
      () => {
        throw new Error("database password is hunter2 at /srv/internal.ts:42");
      },
    );
    app.openapi(
      defineRoute({
        method: "get",
        path: "/api/probe/slow",
        operationId: "waitProbe",
        security: [],
        request: { query: z.object({ ms: z.coerce.number().int().min(0).max(10_000) }) },
        responses: { 200: { description: "Slow", content: { "application/json": { schema: z.object({ waited: z.number() }) } } } },
      }),
      async (c) => {
        const { ms } = c.req.valid("query");
        await sleep(ms);
        return c.json({ waited: ms }, 200);
      },
    );
    // Hands its input to PostgreSQL unchecked, as a validation gap would: a data error (SQLSTATE class 22).
    app.get("/api/probe/cast", async (c) => {
      const rows = await c
        .get("services")
        .db.query(`SELECT $1::${c.req.query("type") === "int" ? "int" : "timestamptz"} AS value`, [c.req.query("value") ?? ""]);
      return c.json({ value: rows[0]?.value ?? null });
    });
    app.post("/api/probe/form", async (c) => c.json({ form: Object.fromEntries(Object.entries(await c.req.parseBody())) }));
  },
});

/** Loadable as an extra module (BACKPLANE_EXTRA_MODULES) by a server started as a child process. */
export default probeModule;
