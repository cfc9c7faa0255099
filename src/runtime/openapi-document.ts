import { availableModules } from "../modules/registry.ts";
import { parseConfig } from "../platform/config/config.ts";
import { createApp } from "../platform/http/create-app.ts";
import type { BackplaneModule, Services } from "../platform/module.ts";
import { createLogger } from "../platform/observability/logger.ts";

/**
 * The OpenAPI document the server serves at /api/openapi.json, built without a database: the app
 * is created (routes register from the config alone) and asked for the document, so it is the
 * served one byte for byte. Input of `npm run openapi:lint` and of the generated client.
 */
export async function openApiDocument(modules: BackplaneModule[] = availableModules): Promise<Record<string, unknown>> {
  const config = parseConfig({ NODE_ENV: "test" });
  // Nothing is served: the database and queue are never touched, only `jobs.enabled` is read
  // (the queue routes are part of the document).
  const services = { config, db: {}, log: createLogger({ level: "silent" }), jobs: { enabled: true } } as unknown as Services;
  const response = await createApp({ services, modules }).request("/api/openapi.json");
  if (!response.ok) throw new Error(`/api/openapi.json answered ${response.status}: ${await response.text()}`);
  return (await response.json()) as Record<string, unknown>;
}
