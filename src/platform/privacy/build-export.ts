import { recordAuditEvent, serviceSource } from "../audit/record-audit-event.ts";
import type { Catalog } from "../catalog.ts";
import { seal } from "../idempotency/seal.ts";
import { clockOf } from "../identity/identity-settings.ts";
import type { Services } from "../module.ts";
import { asService } from "../tenancy/with-tenant.ts";
import { EXPORT_TTL_HOURS, SEAL_PURPOSE, sealBinding } from "./privacy-requests.ts";

export const EXPORT_FORMAT = "backplane-privacy-export/1";

/**
 * Builds one pending export: every registered module's exporter, in one service transaction,
 * into one JSON bundle sealed at rest. Does nothing when the export is gone or already built
 * (a retried or duplicated job).
 */
export async function buildExport(services: Services, catalog: Catalog, exportId: string): Promise<void> {
  const now = clockOf(services);
  await asService(services.db, "privacy: export", async (tx) => {
    const [row] = await tx.query<{ status: string; user_id: string; email: string }>(
      `SELECT e.status, u.id AS user_id, u.email FROM backplane.privacy_exports e JOIN backplane.users u ON u.id = e.user_id
       WHERE e.id = $1 FOR UPDATE OF e`,
      [exportId],
    );
    if (row?.status !== "pending") return;
    const subject = { userId: row.user_id, email: row.email };
    const modules: Record<string, unknown> = {};
    for (const { module, handlers } of catalog.privacy) modules[module] = await handlers.export(tx, subject);
    const bundle = {
      format: EXPORT_FORMAT,
      exportId,
      generatedAt: now.toISOString(),
      subject,
      modules,
      /** Modules running here that hold nothing about any one user. */
      modulesWithoutUserData: catalog.schemas.filter((schema) => !(schema in modules)),
    };
    const json = Buffer.from(JSON.stringify(bundle));
    await tx.query(
      `UPDATE backplane.privacy_exports SET status = 'ready', completed_at = $2, expires_at = $3, bundle = $4, bytes = $5 WHERE id = $1`,
      [
        exportId,
        now,
        new Date(now.getTime() + EXPORT_TTL_HOURS * 3_600_000),
        seal(services.config.BACKPLANE_SECRET, json, sealBinding(exportId), SEAL_PURPOSE),
        json.length,
      ],
    );
    await recordAuditEvent(tx, {
      ...serviceSource("privacy.export"),
      orgId: null,
      action: "privacy.export_ready",
      target: { type: "user", id: subject.userId },
      metadata: { exportId, bytes: json.length, modules: Object.keys(modules) },
    });
  });
}

/** The last attempt failed: the export says so instead of staying pending for ever. */
export async function markExportFailed(services: Services, exportId: string, error: unknown): Promise<void> {
  const message = (error instanceof Error ? error.message : String(error)).slice(0, 1000);
  await asService(services.db, "privacy: export failed", (tx) =>
    tx.query("UPDATE backplane.privacy_exports SET status = 'failed', completed_at = $2, error = $3 WHERE id = $1 AND status = 'pending'", [
      exportId,
      clockOf(services),
      message,
    ]),
  );
}
