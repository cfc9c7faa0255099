import { z } from "@hono/zod-openapi";
import { requireAuth } from "../../auth/require-auth.ts";
import { principalOf } from "../../auth/require-org.ts";
import type { AppRouter } from "../../http/app-env.ts";
import { authErrorResponses, defineRoute, errorResponse } from "../../http/define-route.ts";
import { clockOf, userTenant } from "../../identity/identity-settings.ts";
import { withTenant } from "../../tenancy/with-tenant.ts";
import { getExport, readExportBundle } from "../privacy-requests.ts";
import { exportBundleSchema, exportIdSchema, exportSchema } from "./schemas.ts";

const guard = requireAuth({ scopes: [], principals: ["user"] });

export const getExportRoute = defineRoute({
  method: "get",
  path: "/api/privacy/export/{id}",
  operationId: "getPrivacyExport",
  tags: ["privacy"],
  summary: "Status of one of the signed-in user's exports, and where to download it while it is ready",
  security: [{ SessionCookie: [] }, { BearerAuth: [] }],
  middleware: [guard] as const,
  request: { params: z.object({ id: exportIdSchema }) },
  responses: {
    200: { description: "The export (another user's answers 404)", content: { "application/json": { schema: exportSchema } } },
    ...authErrorResponses,
  },
});

export const downloadExportRoute = defineRoute({
  method: "get",
  path: "/api/privacy/export/{id}/download",
  operationId: "downloadPrivacyExport",
  tags: ["privacy"],
  summary: "The export's JSON bundle (an attachment), while it is ready and less than 24 hours old",
  security: [{ SessionCookie: [] }, { BearerAuth: [] }],
  middleware: [guard] as const,
  request: { params: z.object({ id: exportIdSchema }) },
  responses: {
    200: { description: "The bundle", content: { "application/json": { schema: exportBundleSchema } } },
    409: errorResponse("`conflict`: the export is still pending, or failed"),
    ...authErrorResponses,
  },
});

export function registerGetExport(app: AppRouter): void {
  app.openapi(getExportRoute, async (c) => {
    const principal = principalOf(c);
    const services = c.get("services");
    const { id } = c.req.valid("param");
    const found = await withTenant(services.db, userTenant(principal), (tx) =>
      getExport(tx, { userId: principal.id, id, now: clockOf(services) }),
    );
    c.header("cache-control", "no-store");
    return c.json(found, 200);
  });
  app.openapi(downloadExportRoute, async (c) => {
    const principal = principalOf(c);
    const services = c.get("services");
    const { id } = c.req.valid("param");
    const bundle = await withTenant(services.db, userTenant(principal), (tx) =>
      readExportBundle(tx, { userId: principal.id, id, now: clockOf(services), secret: services.config.BACKPLANE_SECRET }),
    );
    return c.body(new Uint8Array(bundle), 200, {
      "content-type": "application/json; charset=utf-8",
      "content-disposition": `attachment; filename="backplane-export-${id}.json"`,
      "cache-control": "no-store",
    }) as never;
  });
}
