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
import { trainingTables } from "./tables.ts";
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
  privacy: composePrivacy({ ingestion: ingestionPrivacy }),
  registerRoutes(app, services) {
    mountTrpc(app, services);
    registerIngestionRoutes(app);
  },
});
