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
    const [row] = await tx.query<{ status: string; pseudonym: string; user_id: string | null }>(
      "SELECT status, pseudonym, user_id FROM backplane.privacy_deletions WHERE id = $1 FOR UPDATE",
      [deletionId],
    );
    if (row?.status !== "pending") return;
    // The user row, locked before anything is erased. FOR UPDATE conflicts with the FOR KEY SHARE
    // every foreign-key check takes: a request that has already written a row of the user (and
    // queued its job) commits first and its rows are then seen and erased; one that writes later
    // waits, and then meets a user that no longer exists (a 401, see handleError).
    const [user] =
      row.user_id === null
        ? []
        : await tx.query<{ id: string; email: string }>("SELECT id, email FROM backplane.users WHERE id = $1 FOR UPDATE", [row.user_id]);
    const counts: Record<string, Record<string, number>> = {};
    if (user) {
      const subject = { userId: user.id, email: user.email };
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
