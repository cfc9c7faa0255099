import { auditSourceOf } from "../../audit/audit-source.ts";
import { recordAuditEvent } from "../../audit/record-audit-event.ts";
import { requireAuth } from "../../auth/require-auth.ts";
import { principalOf } from "../../auth/require-org.ts";
import type { Catalog } from "../../catalog.ts";
import type { AppRouter } from "../../http/app-env.ts";
import { authErrorResponses, defineRoute } from "../../http/define-route.ts";
import { clockOf } from "../../identity/identity-settings.ts";
import { asService } from "../../tenancy/with-tenant.ts";
import { catalogJobs } from "../privacy-jobs.ts";
import { requestExport } from "../privacy-requests.ts";
import { exportSchema } from "./schemas.ts";

export const requestExportRoute = defineRoute({
  method: "post",
  path: "/api/privacy/export",
  operationId: "requestPrivacyExport",
  tags: ["privacy"],
  summary: "Start building one JSON bundle of everything held about the signed-in user, across every module",
  description:
    "Answers 202 with the export (status `pending`); poll `GET /api/privacy/export/{id}` until `ready`, then download it within 24 hours. Asking again while one is being built answers that one.",
  security: [{ SessionCookie: [] }, { BearerAuth: [] }],
  middleware: [requireAuth({ scopes: [], principals: ["user"] })] as const,
  responses: {
    202: { description: "Export under way (`pending`)", content: { "application/json": { schema: exportSchema } } },
    ...authErrorResponses,
  },
});

export function registerRequestExport(app: AppRouter, catalog: Catalog): void {
  const { exportJob } = catalogJobs(catalog);
  app.openapi(requestExportRoute, async (c) => {
    const principal = principalOf(c);
    const services = c.get("services");
    // The service context: the audit row is platform-wide (no org), which the app role may not write.
    const requested = await asService(services.db, `privacy: export requested by ${principal.id}`, async (tx) => {
      const result = await requestExport(tx, { userId: principal.id, now: clockOf(services) });
      if (result.created) {
        await services.jobs.enqueue(exportJob, { exportId: result.export.id }, { tx });
        await recordAuditEvent(tx, {
          ...auditSourceOf(c),
          orgId: null,
          action: "privacy.export_requested",
          target: { type: "user", id: principal.id },
          metadata: { exportId: result.export.id },
        });
      }
      return result.export;
    });
    c.header("Location", `/api/privacy/export/${requested.id}`);
    return c.json(requested, 202);
  });
}
