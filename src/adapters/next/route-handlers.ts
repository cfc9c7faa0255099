import { randomUUID } from "node:crypto";
import { ConfigError, loadConfig } from "../../platform/config/config.ts";
import { DatabaseUnreachableError } from "../../platform/db/connection-errors.ts";
import type { AppRouter } from "../../platform/http/app-env.ts";
import { type ErrorCode, errorEnvelope } from "../../platform/http/errors.ts";
import { securityHeaderList } from "../../platform/http/security-headers.ts";
import { PendingMigrationsError } from "../../platform/migrations/migration-status.ts";
import { createLogger } from "../../platform/observability/logger.ts";
import { createRuntime, type Runtime } from "../../runtime/create-runtime.ts";

/** An App Router route handler (Next passes a NextRequest, a Request subclass). */
export type RouteHandler = (request: Request) => Promise<Response>;

export interface RouteHandlers {
  GET: RouteHandler;
  HEAD: RouteHandler;
  POST: RouteHandler;
  PUT: RouteHandler;
  PATCH: RouteHandler;
  DELETE: RouteHandler;
  OPTIONS: RouteHandler;
}

export interface RouteHandlersOptions {
  /** Variables on top of the process environment (a value here wins); mainly for tests. */
  env?: Record<string, string | undefined>;
}

/**
 * What a function instance gets unless its environment says otherwise. Many instances each hold a
 * pool, and a hosted PostgreSQL (or its pooler) counts every connection: keep each pool small.
 * A route handler never sees the socket, so the client address can only come from
 * X-Forwarded-For, which Vercel sets (and `next start` fills from the socket when absent);
 * without it every per-IP limit would share one bucket.
 */
export const serverlessDefaults = { DATABASE_POOL_MAX: "3", TRUST_PROXY_HOPS: "1" } as const;

interface Booted {
  app: AppRouter;
  runtime: Runtime;
}

/** Opens the pool and the job producer, refusing what a function cannot do (an embedded database, migrations). */
async function boot(env: Record<string, string | undefined>): Promise<Booted> {
  const config = loadConfig(env, serverlessDefaults);
  if (!config.DATABASE_URL) {
    throw new ConfigError(
      "Invalid configuration: DATABASE_URL: is required under Next.js (backplane/next). A function cannot run the embedded database: its disk is temporary and every instance would get its own. Set DATABASE_URL to your PostgreSQL (Neon, Supabase: their pooled connection string).",
    );
  }
  const log = createLogger({ level: config.LOG_LEVEL, pretty: config.LOG_PRETTY ?? false });
  // No migrations here: concurrent cold starts would race for them and a request would wait on
  // DDL. `backplane migrate` is a release step; a schema behind the code is refused instead.
  const runtime = await createRuntime(config, log, { role: "next", migrate: false, requireMigrated: true });
  // Under Next nothing in front adds the security headers, so the app sets them itself.
  return { app: runtime.createApp({ servedByListen: false }), runtime };
}

// One runtime (one pool) per process, reused by every invocation the instance serves. Kept on
// globalThis so that `next dev` re-evaluating the route module does not open a pool per edit.
const store = globalThis as { [key: symbol]: Map<string, Promise<Booted>> | undefined };
const instancesKey = Symbol.for("backplane.next.instances");
const instances = store[instancesKey] ?? new Map<string, Promise<Booted>>();
store[instancesKey] = instances;

function bootOnce(env: Record<string, string | undefined>): Promise<Booted> {
  const key = JSON.stringify(env);
  let booted = instances.get(key);
  if (!booted) {
    booted = boot(env);
    instances.set(key, booted);
    // A failed start is not kept: the next request tries again (the database may be back).
    booted.catch(() => instances.delete(key));
  }
  return booted;
}

const wellFormedRequestId = /^[A-Za-z0-9_-]{1,255}$/;

/** The error envelope, for a request that came before the app could exist. */
function notReady(request: Request, error: unknown): Response {
  const given = request.headers.get("x-request-id");
  const requestId = given && wellFormedRequestId.test(given) ? given : randomUUID();
  const unavailable = error instanceof DatabaseUnreachableError || error instanceof PendingMigrationsError;
  const code: ErrorCode = unavailable ? "service_unavailable" : "internal_error";
  // The reason (a variable's name, the database host) goes to the function log only.
  console.error(`backplane/next: cannot serve (request ${requestId}): ${error instanceof Error ? error.message : String(error)}`);
  const headers = new Headers(securityHeaderList.map(([name, value]) => [name, value]));
  headers.set("x-request-id", requestId);
  if (unavailable) headers.set("Retry-After", "5");
  const message = unavailable ? "Service unavailable; retry shortly" : "Internal server error";
  return Response.json(errorEnvelope(code, message, requestId), { status: unavailable ? 503 : 500, headers });
}

/**
 * The route handlers for a Next.js App Router catch-all route: `app/api/[[...route]]/route.ts`
 * exports them and every `/api/*` request reaches the same app `backplane serve` runs. Nothing is
 * opened when the module loads (`next build` evaluates it); the first request opens a small pool,
 * which the instance keeps. No worker runs here: routes enqueue jobs, a `backplane worker`
 * elsewhere runs them.
 */
export function createRouteHandlers(options: RouteHandlersOptions = {}): RouteHandlers {
  const env = options.env ?? {};
  const handle: RouteHandler = async (request) => {
    let booted: Booted;
    try {
      booted = await bootOnce(env);
    } catch (error) {
      return notReady(request, error);
    }
    return booted.app.fetch(request);
  };
  return { GET: handle, HEAD: handle, POST: handle, PUT: handle, PATCH: handle, DELETE: handle, OPTIONS: handle };
}

/** Closes every pool this process opened (tests; a function instance is simply frozen). */
export async function closeRouteHandlers(): Promise<void> {
  const all = [...instances.values()];
  instances.clear();
  await Promise.all(all.map((booted) => booted.then(({ runtime }) => runtime.close()).catch(() => {})));
}
