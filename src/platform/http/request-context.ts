import { randomUUID } from "node:crypto";
import type { IncomingMessage, ServerResponse } from "node:http";
import type { Context, MiddlewareHandler } from "hono";
import type { Services } from "../module.ts";
import { type Logger, lazyChild } from "../observability/logger.ts";
import type { AppEnv } from "./app-env.ts";
import { type ResponseRequest, responseRequest } from "./response-request-id.ts";

const wellFormedRequestId = /^[A-Za-z0-9_-]{1,255}$/;
const lineMessages = { info: "request", warn: "request refused: unavailable", error: "request failed" } as const;

type NodeEnv = { incoming?: IncomingMessage; outgoing?: ServerResponse & { [responseRequest]?: ResponseRequest } } | undefined;

export interface RequestContextOptions {
  /** Paths whose last segment is a secret (trigger keys): logged as `[redacted]`. */
  secretPathPrefixes?: readonly string[];
  /**
   * Served by `listen()`: its response class echoes the request id and writes the log line when
   * the head is written, so the middleware has nothing left to do after the handler and is
   * synchronous (`begin`, which the router fuses into the next handler: one handler matched keeps
   * Hono's and @hono/node-server's synchronous path for a synchronous handler).
   */
  servedByListen?: boolean;
}

export interface RequestContext {
  /** On every path, first: sets the request id (the caller's when well formed), a child logger carrying it, the services and the redacted path. */
  middleware: MiddlewareHandler<AppEnv>;
  /** With `servedByListen`: the whole of the middleware's work, done before the next handler. */
  begin?: (c: Context<AppEnv>) => void;
}

/** Sets the per-request context and writes one log line per request (status, duration). */
export function requestContext(
  services: Services,
  { secretPathPrefixes = [], servedByListen = false }: RequestContextOptions = {},
): RequestContext {
  const start = (c: Context<AppEnv>) => {
    const started = performance.now();
    const node = c.env as NodeEnv;
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
    return new RequestLine(services.log, log, requestId, c.req.method, safePath, started);
  };

  if (servedByListen) {
    const begin = (c: Context<AppEnv>) => {
      const line = start(c);
      const outgoing = (c.env as NodeEnv)?.outgoing;
      // On listen()'s response the id goes out with the security headers in one writeHead (set
      // through Hono it would give every response a web Headers object), and the line is written
      // with the head. Anywhere else this app would answer without either: refuse loudly.
      if (!outgoing || !(responseRequest in outgoing)) throw new Error("An app created with servedByListen must be served by listen()");
      outgoing[responseRequest] = line;
    };
    return {
      begin,
      middleware: (c, next) => {
        begin(c);
        return next();
      },
    };
  }

  return {
    // app.request(), Next.js: the id rides along on the response as it is built, and the line
    // is written once the response exists.
    middleware: async (c, next) => {
      const line = start(c);
      const outgoing = (c.env as NodeEnv)?.outgoing;
      if (outgoing) outgoing.setHeader("x-request-id", line.id);
      else c.header("x-request-id", line.id);
      try {
        await next();
      } finally {
        line.headWritten(c.res.status);
      }
    },
  };
}

/** The per-request log line, written once the status is known. */
class RequestLine implements ResponseRequest {
  readonly parent: Logger;
  readonly log: Logger;
  readonly id: string;
  readonly method: string;
  readonly path: string;
  readonly started: number;

  constructor(parent: Logger, log: Logger, id: string, method: string, path: string, started: number) {
    this.parent = parent;
    this.log = log;
    this.id = id;
    this.method = method;
    this.path = path;
    this.started = started;
  }

  headWritten(status: number): void {
    // A 503 is a known state (a dependency is down, logged once where it was seen), not a fault.
    const level = status === 503 ? "warn" : status >= 500 ? "error" : "info";
    // Asked of the parent (the child shares its level), so a request that logs nothing at this
    // level builds no line and no child logger.
    if (this.parent.isLevelEnabled(level)) {
      const line = { method: this.method, path: this.path, status, durationMs: Math.round((performance.now() - this.started) * 100) / 100 };
      this.log[level](line, lineMessages[level]);
    }
  }
}

/** `/api/v1/triggers/trg_secret` → `/api/v1/triggers/[redacted]` for a declared secret prefix. */
export function redactPath(path: string, secretPathPrefixes: readonly string[]): string {
  for (const prefix of secretPathPrefixes) {
    if (path.startsWith(prefix) && path.length > prefix.length) return `${prefix}[redacted]`;
  }
  return path;
}
