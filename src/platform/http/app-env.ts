import type { OpenAPIHono } from "@hono/zod-openapi";
import type { Principal } from "../auth/principal.ts";
import type { Services } from "../module.ts";
import type { Logger } from "../observability/logger.ts";

/** Per-request values set by the platform middleware. */
export interface AppEnv {
  Variables: {
    requestId: string;
    /** The path as logs and error messages may show it (secret segments redacted). */
    safePath: string;
    log: Logger;
    services: Services;
    /** Set by `requireAuth` on authenticated routes; read it with `principalOf(c)`. */
    principal?: Principal;
  };
}

export type AppRouter = OpenAPIHono<AppEnv>;
