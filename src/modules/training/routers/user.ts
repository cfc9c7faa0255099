import { withTenant } from "../../../platform/tenancy/with-tenant.ts";
import { getProfile, updateSettings } from "../services/profile.ts";
import { profileSchema, settingsPatchSchema } from "../settings.ts";
import { router, userProcedure } from "../trpc/trpc.ts";

/** Seed 004 §2.3.1 `user`: the profile of the signed-in user and their training settings. */
export const userRouter = router({
  getProfile: userProcedure
    .output(profileSchema)
    .query(({ ctx }) => withTenant(ctx.services.db, ctx.tenant, (tx) => getProfile(tx, ctx.userId))),
  updateSettings: userProcedure
    .input(settingsPatchSchema)
    .output(profileSchema)
    .mutation(({ ctx, input }) => withTenant(ctx.services.db, ctx.tenant, (tx) => updateSettings(tx, ctx.userId, input))),
});
