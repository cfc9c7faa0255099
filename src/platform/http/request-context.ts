import { randomUUID } from "node:crypto";
import type { IncomingMessage, ServerResponse } from "node:http";
import type { MiddlewareHandler } from "hono";
import type { Services } from "../module.ts";
import { lazyChild } from "../observability/logger.ts";
import type { AppEnv } from "./app-env.ts";
import { responseRequestId } from "./response-request-id.ts";

const wellFormedRequestId = /^[A-Za-z0-9_-]{1,255}$/;
const lineMessages = { info: "request", warn: "request refused: unavailable", error: "request failed" } as const;

/**
 * Sets the request id (the caller's when well formed), a child logger carrying it,
 * and the services; echoes the id and writes one log line per request.
 */
export function requestContext(services: Services, secretPathPrefixes: readonly string[] = []): MiddlewareHandler<AppEnv> {
  return async (c, next) => {
    const started = performance.now();
    const node = c.env as { incoming?: IncomingMessage; outgoing?: ServerResponse } | undefined;
    // On @hono/node-server, Node's own parsed headers: `c.req.header()` would first build a web
    // Headers object of every request header, which nothing else on a GET needs.
    const given = node?.incoming ? node.incoming.headers["x-request-id"] : c.req.header("x-request-id");
    const requestId = typeof given === "string" && wellFormedRequestId.test(given) ? given : randomUUID();
    const log = lazyChild(services.log, { requestId });
    c.set("requestId", requestId);
    c.set("log", log);
    c.set("services", services);
    const safePath = redactPath(c.req.path, secretPathPrefixes);
    c.set("safePath", safePath);
    // On @hono/node-server the header goes straight onto Node's response: set through Hono it would
    // give every response a web Headers object, which cost a fifth of the per-request CPU of
    // GET /api/health. `listen()`'s response writes it in writeHead with the security headers.
    // Elsewhere (app.request(), Next.js) it is set before the response exists, so it rides along
    // when the response is built.
    const outgoing = node?.outgoing;
    if (outgoing && responseRequestId in outgoing) (outgoing as { [responseRequestId]?: string })[responseRequestId] = requestId;
    else if (outgoing) outgoing.setHeader("x-request-id", requestId);
    else c.header("x-request-id", requestId);
    try {
      await next();
    } finally {
      const status = c.res.status;
      // A 503 is a known state (a dependency is down, logged once where it was seen), not a fault.
      const level = status === 503 ? "warn" : status >= 500 ? "error" : "info";
      // Asked of the parent (the child shares its level), so a request that logs nothing at this
      // level builds no line and no child logger.
      if (services.log.isLevelEnabled(level)) {
        const line = { method: c.req.method, path: safePath, status, durationMs: Math.round((performance.now() - started) * 100) / 100 };
        log[level](line, lineMessages[level]);
      }
    }
  };
}

/** `/api/v1/triggers/trg_secret` → `/api/v1/triggers/[redacted]` for a declared secret prefix. */
export function redactPath(path: string, secretPathPrefixes: readonly string[]): string {
  for (const prefix of secretPathPrefixes) {
    if (path.startsWith(prefix) && path.length > prefix.length) return `${prefix}[redacted]`;
  }
  return path;
}
