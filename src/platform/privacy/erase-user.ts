import { recordAuditEvent, serviceSource } from "../audit/record-audit-event.ts";
import type { Catalog } from "../catalog.ts";
import { clockOf } from "../identity/identity-settings.ts";
import type { Services } from "../module.ts";
import { asService } from "../tenancy/with-tenant.ts";
import { findUserResidue } from "./user-data-scan.ts";

/**
 * Erases one user across every registered module in one service transaction: modules in reverse
 * order, the platform (which deletes the user row) last. Before committing, a catalog scan of
 * every column that holds user ids must come back empty: a module holding user data without an
 * eraser fails the job (and rolls everything back) instead of leaving the user half-erased.
 * What remains is the deletion row and one `privacy.user_erased` audit row, both pseudonymous.
 */
export async function eraseUser(services: Services, catalog: Catalog, deletionId: string): Promise<void> {
  const now = clockOf(services);
  await asService(services.db, "privacy: delete", async (tx) => {
    const [row] = await tx.query<{ status: string; pseudonym: string; user_id: string | null; email: string | null }>(
      `SELECT d.status, d.pseudonym, u.id AS user_id, u.email FROM backplane.privacy_deletions d
       LEFT JOIN backplane.users u ON u.id = d.user_id WHERE d.id = $1 FOR UPDATE OF d`,
      [deletionId],
    );
    if (row?.status !== "pending") return;
    const counts: Record<string, Record<string, number>> = {};
    if (row.user_id !== null && row.email !== null) {
      const subject = { userId: row.user_id, email: row.email };
      for (const { module, handlers } of [...catalog.privacy].reverse()) counts[module] = await handlers.erase(tx, subject);
      const residue = await findUserResidue(tx, subject, "shallow");
      if (residue.length > 0) {
        const where = residue.map((entry) => `${entry.table}.${entry.column} (${entry.rows})`).join(", ");
        throw new Error(`Erasure ${deletionId} incomplete: ${where} still hold the user; the module owning it needs a privacy eraser`);
      }
    }
    await tx.query("UPDATE backplane.privacy_deletions SET status = 'done', user_id = NULL, completed_at = $2, counts = $3 WHERE id = $1", [
      deletionId,
      now,
      JSON.stringify(counts),
    ]);
    await recordAuditEvent(tx, {
      ...serviceSource("privacy.delete"),
      orgId: null,
      action: "privacy.user_erased",
      target: { type: "user", id: row.pseudonym },
      metadata: { deletionId, erased: counts },
    });
  });
}
