import { defineModule } from "../../platform/module.ts";
import { trainingTables } from "./tables.ts";
import { mountTrpc } from "./trpc/mount.ts";

/**
 * Seed 004: the endurance training backend. The mobile app's tRPC API at /trpc (auth, user,
 * sync, dashboard) and the WatermelonDB sync mirrors at /api/sync/*. docs/training.md.
 */
export const trainingModule = defineModule({
  name: "training",
  tables: trainingTables,
  registerRoutes(app, services) {
    mountTrpc(app, services);
  },
});
