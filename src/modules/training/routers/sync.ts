import { withTenant } from "../../../platform/tenancy/with-tenant.ts";
import { pullChanges } from "../sync/pull-changes.ts";
import { pushChanges } from "../sync/push-changes.ts";
import { pullInputSchema, pullResultSchema, pushInputSchema, pushResultSchema } from "../sync/schemas.ts";
import { router, userProcedure } from "../trpc/trpc.ts";

/**
 * Seed 004 §2.3.1 `sync`: WatermelonDB's pull and push (docs/training.md, Sync). The REST
 * mirrors GET /api/sync/pull and POST /api/sync/push run the same services.
 */
export const syncRouter = router({
  pullChanges: userProcedure
    .input(pullInputSchema)
    .output(pullResultSchema)
    .query(({ ctx, input }) =>
      withTenant(ctx.services.db, ctx.tenant, (tx) =>
        pullChanges(tx, { userId: ctx.userId, lastPulledAt: input.lastPulledAt ?? null, migration: input.migration ?? null }),
      ),
    ),
  pushChanges: userProcedure
    .input(pushInputSchema)
    .output(pushResultSchema)
    .mutation(async ({ ctx, input }) => {
      await pushChanges(ctx.services.db, {
        userId: ctx.userId,
        tenant: ctx.tenant,
        lastPulledAt: input.lastPulledAt,
        changes: input.changes,
        jobs: ctx.services.jobs,
      });
      return { ok: true as const };
    }),
});
