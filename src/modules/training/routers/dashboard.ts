import { clockOf } from "../../../platform/identity/identity-settings.ts";
import { withTenant } from "../../../platform/tenancy/with-tenant.ts";
import { todaySummary, todaySummaryInput, todaySummarySchema } from "../dashboard/today-summary.ts";
import { router, userProcedure } from "../trpc/trpc.ts";

/**
 * Seed 004 §2.3.1 `dashboard`: `getTodaySummary` (today's scheduled workout, readiness, last
 * activity with its load, 7-day load, acute:chronic ratio), computed from the stored rows.
 */
export const dashboardRouter = router({
  getTodaySummary: userProcedure
    .input(todaySummaryInput)
    .output(todaySummarySchema)
    .query(({ ctx, input }) =>
      withTenant(ctx.services.db, ctx.tenant, (tx) => todaySummary(tx, ctx.userId, clockOf(ctx.services), input?.date)),
    ),
});
