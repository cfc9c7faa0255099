import { defineModule } from "../../platform/module.ts";
import { composePrivacy } from "../../platform/privacy/compose-privacy.ts";
import {
  ingestionBodyLimits,
  ingestionCrons,
  ingestionIdPrefixes,
  ingestionJobs,
  ingestionPrivacy,
  ingestionSecretPathPrefixes,
  ingestionTables,
  registerIngestionRoutes,
} from "./ingestion.ts";
import { registerSyncPull } from "./routes/sync-pull.ts";
import { registerSyncPush } from "./routes/sync-push.ts";
import { tombstoneCleanup } from "./sync/tombstone-cleanup.ts";
import { trainingTables } from "./tables.ts";
import { trainingPrivacy } from "./training-privacy.ts";
import { mountTrpc } from "./trpc/mount.ts";

/**
 * Seed 004: the endurance training backend. The mobile app's tRPC API at /trpc (auth, user,
 * sync, dashboard) and the WatermelonDB sync mirrors at /api/sync/*; vendor webhooks, provider
 * connections and the activity pipeline (ingestion.ts). docs/training.md.
 */
export const trainingModule = defineModule({
  name: "training",
  tables: [...trainingTables, ...ingestionTables],
  idPrefixes: ingestionIdPrefixes,
  jobs: ingestionJobs,
  crons: ingestionCrons,
  bodyLimits: ingestionBodyLimits,
  secretPathPrefixes: ingestionSecretPathPrefixes,
  // Ingestion first (its rows may point at activities), then the synced data, tombstones and clock.
  privacy: composePrivacy({ ingestion: ingestionPrivacy, training: trainingPrivacy }),
  cleanups: [tombstoneCleanup],
  registerRoutes(app, services) {
    mountTrpc(app, services);
    registerSyncPull(app);
    registerSyncPush(app);
    registerIngestionRoutes(app);
  },
});
