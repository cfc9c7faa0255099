import { authRouter } from "../routers/auth.ts";
import { dashboardRouter } from "../routers/dashboard.ts";
import { syncRouter } from "../routers/sync.ts";
import { userRouter } from "../routers/user.ts";
import { router } from "./trpc.ts";

/**
 * The mobile app's API at /trpc (seed 004 §2.3.1), one router per file in ../routers. Add a
 * router there and name it here; its type reaches the app through `backplane/trpc`.
 */
export const appRouter = router({
  auth: authRouter,
  sync: syncRouter,
  user: userRouter,
  dashboard: dashboardRouter,
});

export type AppRouter = typeof appRouter;
