import type { OpenAPIHono } from "@hono/zod-openapi";
import type { Services } from "../module.ts";
import type { Logger } from "../observability/logger.ts";

/** Per-request values set by the platform middleware. */
export interface AppEnv {
  Variables: {
    requestId: string;
    log: Logger;
    services: Services;
  };
}

export type AppRouter = OpenAPIHono<AppEnv>;
