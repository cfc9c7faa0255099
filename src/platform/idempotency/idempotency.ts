import { createHash } from "node:crypto";
import { z } from "@hono/zod-openapi";
import type { Context, MiddlewareHandler } from "hono";
import { principalOf } from "../auth/require-org.ts";
import type { AppEnv } from "../http/app-env.ts";
import { errorResponse } from "../http/define-route.ts";
import { AppError } from "../http/errors.ts";
import { text } from "../http/text.ts";
import { principalName } from "../tenancy/with-tenant.ts";
import {
  claimIdempotencyKey,
  completeIdempotencyKey,
  type IdempotencyTarget,
  releaseIdempotencyKey,
  type StoredResponse,
} from "./idempotency-store.ts";
import { seal, unseal } from "./seal.ts";

export const IDEMPOTENCY_HEADER = "Idempotency-Key";
export const REPLAYED_HEADER = "Idempotent-Replayed";

export interface IdempotencyOptions {
  /** `required`: a request without the header is a 400. Default `optional`. */
  mode?: "optional" | "required";
  /** Who the key belongs to; default the authenticated principal (run after `requireAuth`). */
  scope?: (c: Context<AppEnv>) => string;
}

// Printable ASCII, 1–255 characters (Stripe's limit). The IETF draft sends the key as a
// structured-field string (`"abc"`); the quotes are accepted and removed.
const keyFormat = /^[\x20-\x7e]{1,255}$/;

// Per-request headers are set afresh on a replay; everything else is stored and replayed.
const notStored = new Set(["x-request-id", "set-cookie", "date", "content-length", "transfer-encoding", "connection"]);

/** Reads the Idempotency-Key header: null when absent, a 400 when malformed. */
export function readIdempotencyKey(c: Context<AppEnv>): string | null {
  const raw = c.req.header(IDEMPOTENCY_HEADER);
  if (raw === undefined) return null;
  const unquoted = raw.length >= 2 && raw.startsWith('"') && raw.endsWith('"') ? raw.slice(1, -1) : raw;
  if (!keyFormat.test(unquoted) || unquoted.trim() === "") {
    throw new AppError("idempotency_key_invalid", "Idempotency-Key must be 1-255 printable ASCII characters", {
      details: [{ field: "header.Idempotency-Key", message: "1-255 printable ASCII characters" }],
    });
  }
  return unquoted;
}

/**
 * `Idempotency-Key` for one route (the IETF httpapi draft, as Stripe does it): the first request
 * with a key runs and its answer (status, headers, body bytes) is stored; the same key with the
 * same body gets that answer again with `Idempotent-Replayed: true`; with another body, 422
 * `idempotency_key_reused`; while the first is still running, 409 `idempotency_in_flight`.
 * Only answers below 400 are kept: a request refused (4xx) or failed (5xx) changed nothing,
 * so the key is freed for a corrected retry. A claim is a lease (IDEMPOTENCY_LEASE_SECONDS),
 * so a process that dies mid-request does not hold its key for ever.
 */
export function idempotency(options: IdempotencyOptions = {}): MiddlewareHandler<AppEnv> {
  const mode = options.mode ?? "optional";
  const scopeOf = options.scope ?? ((c: Context<AppEnv>) => principalName(principalOf(c)));
  return async (c, next) => {
    const key = readIdempotencyKey(c);
    if (key === null) {
      if (mode === "required") {
        throw new AppError("idempotency_key_required", "This route needs an Idempotency-Key header (any unique string, e.g. a UUID)", {
          details: [{ field: "header.Idempotency-Key", message: "required" }],
        });
      }
      return next();
    }
    const { db, config } = c.get("services");
    const body = new Uint8Array(await c.req.arrayBuffer()); // cached: the route's validator reads it again
    const fingerprint = createHash("sha256").update(body).digest("hex");
    const target: IdempotencyTarget = { scope: scopeOf(c), method: c.req.method, route: c.req.routePath, key };
    const boundTo = JSON.stringify([target.scope, target.method, target.route, target.key]);
    const claim = await claimIdempotencyKey(db, target, fingerprint, {
      leaseSeconds: config.IDEMPOTENCY_LEASE_SECONDS,
      ttlHours: config.IDEMPOTENCY_TTL_HOURS,
    });
    if (claim.outcome === "mismatch") {
      throw new AppError("idempotency_key_reused", "This Idempotency-Key was used with a different request body; use a new key");
    }
    if (claim.outcome === "in_flight") {
      throw new AppError("idempotency_in_flight", "A request with this Idempotency-Key is still being processed; retry shortly", {
        headers: { "Retry-After": "1" },
      });
    }
    if (claim.outcome === "replay") {
      const { status, headers, body: stored } = claim.response;
      const plain = unseal(config.BACKPLANE_SECRET, stored, boundTo);
      return c.body(new Uint8Array(plain), status as 200, { ...headers, [REPLAYED_HEADER]: "true" });
    }

    let kept = false;
    try {
      await next();
      if (c.res.status < 400 && !c.error) {
        const response: StoredResponse = {
          status: c.res.status,
          headers: storedHeaders(c.res.headers),
          body: seal(config.BACKPLANE_SECRET, new Uint8Array(await c.res.clone().arrayBuffer()), boundTo),
        };
        await completeIdempotencyKey(db, target, claim.claimId, response);
        kept = true;
      }
    } finally {
      // On an error the caller may retry with the same key. (If even this fails, the lease lapses.)
      if (!kept) await releaseIdempotencyKey(db, target, claim.claimId).catch(() => {});
    }
  };
}

function storedHeaders(headers: Headers): Record<string, string> {
  const out: Record<string, string> = {};
  headers.forEach((value, name) => {
    if (!notStored.has(name)) out[name] = value;
  });
  return out;
}

/** For a route's contract: the header (documented; the middleware checks it) and its extra answers. */
export const idempotencyContract = {
  headers: (mode: "optional" | "required" = "optional") =>
    z.object({
      "idempotency-key": (mode === "required" ? text() : text().optional()).openapi({
        description:
          "Makes a retry safe: the same key and body within IDEMPOTENCY_TTL_HOURS replay the first answer (with `Idempotent-Replayed: true`). 1-255 printable ASCII characters; a UUID is a good choice.",
        example: "3f0c8c9e-6c55-4a57-9a53-8d7c2b1f6b0e",
      }),
    }),
  responses: {
    409: errorResponse("`idempotency_in_flight`: a request with this Idempotency-Key is still running (retry after `Retry-After`)"),
    422: errorResponse("`idempotency_key_reused`: this Idempotency-Key was sent with a different body"),
  },
};
