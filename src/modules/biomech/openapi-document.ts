import { OpenAPIHono } from "@hono/zod-openapi";
import { parseConfig } from "../../platform/config/config.ts";
import type { AppEnv } from "../../platform/http/app-env.ts";
import type { Services } from "../../platform/module.ts";
import { biomechModule } from "./module.ts";

/**
 * The Biomech API's own OpenAPI document (its routes and the schemas they use), the input
 * of the generated client. Built from the same route definitions the server serves.
 */
export function biomechOpenApiDocument(): Record<string, unknown> {
  const app = new OpenAPIHono<AppEnv>();
  // Registering routes reads only the config (env keys, cursor secret); nothing is served here.
  const services = { config: parseConfig({ NODE_ENV: "test" }) } as Services;
  biomechModule.registerRoutes?.(app, services);
  app.openAPIRegistry.registerComponent("securitySchemes", "ApiKey", { type: "apiKey", in: "header", name: "X-API-Key" });
  return app.getOpenAPI31Document({
    openapi: "3.1.0",
    info: {
      title: "Backplane Biomech API",
      version: "1.0.0",
      description: "Seed 000: read-only biomech sessions, per org.",
      license: { name: "MIT", url: "https://opensource.org/licenses/MIT" },
    },
    servers: [{ url: "/", description: "This Backplane server" }],
  }) as unknown as Record<string, unknown>;
}
