import type { Cleanup } from "../../../platform/module.ts";
import { asService } from "../../../platform/tenancy/with-tenant.ts";

const DAY_MS = 24 * 3600 * 1000;

/**
 * Deletes tombstones older than SYNC_TOMBSTONE_DAYS and moves the purge horizon up to the
 * cutoff, in one transaction: a device whose lastPulledAt is before the horizon may have missed
 * a purged deletion, so its next pull is a full replacement (see pullChanges).
 */
export const tombstoneCleanup: Cleanup = {
  name: "training.sync-tombstones",
  async run({ db, config, now }) {
    const cutoff = now.getTime() - config.SYNC_TOMBSTONE_DAYS * DAY_MS;
    const deleted = await asService(db, "cleanup: training sync tombstones", async (tx) => {
      const rows = await tx.query("DELETE FROM training.sync_tombstones WHERE server_changed_at < $1 RETURNING 1", [cutoff]);
      await tx.query("UPDATE training.tombstone_horizon SET purged_before = greatest(purged_before, $1), purged_at = $2", [cutoff, now]);
      return rows.length;
    });
    return { tombstones: deleted };
  },
};
