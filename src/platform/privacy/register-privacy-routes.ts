import type { Catalog } from "../catalog.ts";
import type { AppRouter } from "../http/app-env.ts";
import { registerGetExport } from "./routes/get-export.ts";
import { registerRequestDeletion } from "./routes/request-deletion.ts";
import { registerRequestExport } from "./routes/request-export.ts";

/** /api/privacy/*: export and erasure of the signed-in user's data across every module (docs/privacy.md). */
export function registerPrivacyRoutes(app: AppRouter, catalog: Catalog): void {
  registerRequestExport(app, catalog);
  registerGetExport(app);
  registerRequestDeletion(app, catalog);
}
