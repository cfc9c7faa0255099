import type { OpenAPIHono } from "@hono/zod-openapi";
import type { Logger } from "../observability/logger.ts";
import type { Services } from "../module.ts";

/** Per-request values set by the platform middleware. */
export interface AppEnv {
  Variables: {
    requestId: string;
    log: Logger;
    services: Services;
  };
}

export type AppRouter = OpenAPIHono<AppEnv>;
