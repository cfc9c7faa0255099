import { auditSourceOf } from "../../audit/audit-source.ts";
import { recordAuditEvent } from "../../audit/record-audit-event.ts";
import { requireAuth } from "../../auth/require-auth.ts";
import { principalOf } from "../../auth/require-org.ts";
import type { Catalog } from "../../catalog.ts";
import type { AppRouter } from "../../http/app-env.ts";
import { authErrorResponses, defineRoute } from "../../http/define-route.ts";
import { AppError } from "../../http/errors.ts";
import { clockOf, normalizeEmail } from "../../identity/identity-settings.ts";
import { asService } from "../../tenancy/with-tenant.ts";
import { catalogJobs } from "../privacy-jobs.ts";
import { requestDeletion } from "../privacy-requests.ts";
import { pseudonymOf } from "../pseudonym.ts";
import { deleteBodySchema, deletionSchema } from "./schemas.ts";

export const requestDeletionRoute = defineRoute({
  method: "post",
  path: "/api/privacy/delete",
  operationId: "requestPrivacyDeletion",
  tags: ["privacy"],
  summary: "Erase everything held about the signed-in user, across every module, in one job",
  description:
    "`confirmEmail` must repeat the user's own email. Answers 202; the job erases every module's rows in one transaction, signs the user out everywhere, and leaves only a pseudonymous audit row of the erasure. Asking again while it is pending answers the same erasure.",
  security: [{ SessionCookie: [] }, { BearerAuth: [] }],
  middleware: [requireAuth({ scopes: [], principals: ["user"] })] as const,
  request: { body: { required: true, content: { "application/json": { schema: deleteBodySchema } } } },
  responses: {
    202: { description: "Erasure under way", content: { "application/json": { schema: deletionSchema } } },
    ...authErrorResponses,
  },
});

export function registerRequestDeletion(app: AppRouter, catalog: Catalog): void {
  const { deleteJob } = catalogJobs(catalog);
  app.openapi(requestDeletionRoute, async (c) => {
    const principal = principalOf(c);
    const services = c.get("services");
    const { confirmEmail } = c.req.valid("json");
    if (normalizeEmail(confirmEmail) !== principal.user?.email) {
      throw new AppError("validation_failed", "confirmEmail: must be the signed-in user's own email", {
        details: [{ field: "confirmEmail", message: "does not match the signed-in user's email" }],
      });
    }
    // The service context: the audit row is platform-wide (no org), which the app role may not write.
    const deletion = await asService(services.db, `privacy: deletion requested by ${principal.id}`, async (tx) => {
      const result = await requestDeletion(tx, {
        userId: principal.id,
        pseudonym: pseudonymOf(services.config.BACKPLANE_SECRET, principal.id),
        now: clockOf(services),
      });
      if (result.created) {
        await services.jobs.enqueue(deleteJob, { deletionId: result.deletion.id }, { tx });
        // Erased with the user; the job's pseudonymous `privacy.user_erased` row is what stays.
        await recordAuditEvent(tx, {
          ...auditSourceOf(c),
          orgId: null,
          action: "privacy.delete_requested",
          target: { type: "user", id: principal.id },
          metadata: { deletionId: result.deletion.id },
        });
      }
      return result.deletion;
    });
    return c.json(deletion, 202);
  });
}
