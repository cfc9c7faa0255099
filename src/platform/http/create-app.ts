import { OpenAPIHono } from "@hono/zod-openapi";
import type { Context, MiddlewareHandler } from "hono";
import { bodyLimit } from "hono/body-limit";
import { cors } from "hono/cors";
import { registerAdmin } from "../admin/register-admin.ts";
import { registerListAuditEvents } from "../audit/routes/list-audit-events.ts";
import { catalogOf } from "../catalog.ts";
import { registerCronRoutes } from "../crons/routes/run-cron-tick.ts";
import { registerDocs } from "../docs/register-docs.ts";
import { registerHealthRoutes } from "../health/register-health-routes.ts";
import { registerAuthRoutes } from "../identity/register-auth-routes.ts";
import { registerQueueRoutes } from "../jobs/register-queue-routes.ts";
import { registerKeyRoutes } from "../keys/register-key-routes.ts";
import { registerListMetrics } from "../metrics/routes/list-metrics.ts";
import type { BackplaneModule, HealthCheck, Services } from "../module.ts";
import { registerPrivacyRoutes } from "../privacy/register-privacy-routes.ts";
import { registerWebhookRoutes } from "../webhooks/register-webhook-routes.ts";
import type { AppEnv, AppRouter } from "./app-env.ts";
import { AppError } from "./errors.ts";
import { handleError } from "./handle-error.ts";
import { enforceMediaType } from "./media-type.ts";
import { allowedMethodsFor } from "./method-not-allowed.ts";
import { RememberingRouter } from "./remembering-router.ts";
import { requestContext } from "./request-context.ts";
import { securityHeaders } from "./security-headers.ts";
import { findNul } from "./text.ts";
import { nulError, validationError } from "./validation-error.ts";

export interface CreateAppOptions {
  services: Services;
  modules: BackplaneModule[];
  /** Extra health checks beyond the database (e.g. Redis, the queue). */
  healthChecks?: Record<string, HealthCheck>;
  /**
   * Served by `listen()` (with `securityHeaderList`): its response class adds the security headers
   * and the request id and writes the per-request log line, which is cheaper than a web Headers
   * object per response and leaves the request context nothing to do after the handler (a GET
   * stays synchronous). Leave unset wherever the app is served some other way (tests'
   * `app.request()`, a Next.js route handler); set, such a server is refused.
   */
  servedByListen?: boolean;
}

/** What a handler that returned nothing leaves: the response set on the context, or Hono's own error. */
function answered(c: Context<AppEnv>): Response {
  if (c.finalized) return c.res;
  throw new Error("Context is not finalized. Did you forget to return a Response object or `await next()`?");
}

const methodsWithBody = new Set(["POST", "PUT", "PATCH", "DELETE"]);

/**
 * Builds the whole HTTP app without listening, so @hono/node-server, tests
 * (`app.request()`) and a Next.js route handler can all serve the same object.
 */
export function createApp({ services, modules, healthChecks = {}, servedByListen = false }: CreateAppOptions): AppRouter {
  const { config } = services;
  const context = requestContext(services, {
    secretPathPrefixes: modules.flatMap((module) => module.secretPathPrefixes ?? []),
    servedByListen,
  });
  const { begin } = context;
  const app: AppRouter = new OpenAPIHono<AppEnv>({
    router: new RememberingRouter({
      fusing: begin && {
        leading: context.middleware,
        into:
          (next: MiddlewareHandler<AppEnv>): MiddlewareHandler<AppEnv> =>
          (c, then) => {
            begin(c);
            // Hono runs a lone handler that answers nothing as "not found" (a 405 here): answered as
            // its chain would (a 500, the fault logged), as under app.request() or with CORS on.
            const answer = next(c, then);
            return answer instanceof Promise ? answer.then((res) => res ?? answered(c)) : (answer ?? answered(c));
          },
      },
    }) as never,
    defaultHook: (result) => {
      if (!result.success) throw validationError(result.error, result.target);
      // Fields written with `text()` refuse NUL themselves; this catches the open ones
      // (`z.unknown()`, records) before a NUL reaches PostgreSQL, which cannot store it.
      const nulAt = findNul(result.data);
      if (nulAt) throw nulError(result.target, nulAt);
      return undefined;
    },
  });

  app.use("*", context.middleware);
  if (!servedByListen) app.use("*", securityHeaders());
  if (config.CORS_ORIGINS.length > 0) {
    app.use("*", cors({ origin: config.CORS_ORIGINS, exposeHeaders: ["x-request-id", "RateLimit", "Retry-After"], maxAge: 600 }));
  }
  const limiter = (maxSize: number) =>
    bodyLimit({
      maxSize,
      onError: () => {
        throw new AppError("payload_too_large", `Request body exceeds ${maxSize} bytes`);
      },
    });
  const limitBody = limiter(config.BODY_LIMIT_BYTES);
  // A module's tighter limit for its paths runs instead of the global one, so the request is cut
  // off at that limit without reading up to the global one first.
  const routeLimits = modules
    .flatMap((module) => Object.entries(module.bodyLimits ?? {}))
    .map(([prefix, bytes]) => [prefix, limiter(Math.min(bytes, config.BODY_LIMIT_BYTES))] as const);
  const limitFor = (path: string) => routeLimits.find(([prefix]) => path.startsWith(prefix))?.[1] ?? limitBody;
  // Only where a body can come, registered for those methods alone: the limiter wraps the request
  // stream, which would make the Node adapter build a full Request for every GET too, and a GET
  // then passes no extra middleware (each is an async step in Hono's chain).
  const bodyMethods = [...methodsWithBody];
  app.on(bodyMethods, "*", (c, next) => limitFor(c.req.path)(c, next));
  app.on(
    bodyMethods,
    "*",
    enforceMediaType(
      Object.assign(
        { "/api/docs/session": ["application/x-www-form-urlencoded"], "/admin/": ["application/x-www-form-urlencoded"] },
        ...modules.map((module) => module.mediaTypes ?? {}),
      ),
    ),
  );

  const moduleChecks = Object.assign({}, ...modules.map((module) => module.healthChecks ?? {}));
  registerHealthRoutes(app, { ...moduleChecks, ...healthChecks });
  if (services.jobs.enabled) registerQueueRoutes(app, modules);
  const catalog = catalogOf(modules);
  registerKeyRoutes(app, catalog.scopeNames);
  registerAuthRoutes(app);
  registerListAuditEvents(app);
  registerWebhookRoutes(app, modules);
  registerPrivacyRoutes(app, catalog);
  registerCronRoutes(app, catalog);
  registerListMetrics(app);
  for (const module of modules) module.registerRoutes?.(app, services);
  registerDocs(app);
  registerAdmin(app, { modules, catalog });

  const allowedMethods = allowedMethodsFor(app as never);
  app.notFound((c) => {
    const allowed = allowedMethods(c.req.path);
    if (allowed.length > 0) {
      const error = new AppError(
        "method_not_allowed",
        `${c.req.method} is not allowed on ${c.get("safePath") ?? c.req.path}; use ${allowed.join(", ")}`,
        {
          headers: { Allow: allowed.join(", ") },
        },
      );
      return handleError(error, c);
    }
    return handleError(new AppError("not_found", `No route for ${c.req.method} ${c.get("safePath") ?? c.req.path}`), c);
  });
  app.onError(handleError);
  return app;
}
