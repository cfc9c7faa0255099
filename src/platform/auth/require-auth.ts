import type { MiddlewareHandler } from "hono";
import type { AppEnv } from "../http/app-env.ts";
import { AppError } from "../http/errors.ts";
import { envKeyMatcher } from "./env-keys.ts";
import { type KeyFailure, keyVerifierFor } from "./key-verifier.ts";
import { hasScopes, type Principal } from "./principal.ts";
import { readCredential } from "./read-credential.ts";

export interface EnvKeys {
  /** The variable the keys came from; it names the principal (never the key). */
  variable: string;
  keys: readonly string[];
  /** What an env key may do. Env keys are not bound to an org: they may read every org. */
  scopes: readonly string[];
}

export interface RequireAuthOptions {
  /** Every one of these must be on the key; otherwise 403. */
  scopes: readonly string[];
  /** Static keys from the environment that also pass (the seed's BIOMECH_API_KEYS). */
  envKeys?: EnvKeys;
}

const failureMessages: Record<KeyFailure | "missing", string> = {
  missing: "Send an API key in the X-API-Key header (or Authorization: Bearer)",
  malformed: "The API key is malformed",
  unknown: "The API key is not recognized",
  expired: "The API key has expired",
  revoked: "The API key has been revoked",
};

function unauthorized(reason: KeyFailure | "missing"): AppError {
  return new AppError("unauthorized", failureMessages[reason], {
    details: { reason },
    headers: { "WWW-Authenticate": 'Bearer realm="backplane"' },
  });
}

/**
 * Route guard: 401 unless the request carries a valid key, 403 unless the key has every
 * scope listed. Runs before request validation, so an anonymous caller learns nothing
 * about a route's inputs. Sets `principal` for the handler (see `requireOrg`).
 */
export function requireAuth(options: RequireAuthOptions): MiddlewareHandler<AppEnv> {
  const matchesEnvKey = envKeyMatcher(options.envKeys?.keys ?? []);
  return async (c, next) => {
    const presented = readCredential(c);
    if (presented === null) throw unauthorized("missing");

    let principal: Principal;
    if (options.envKeys && matchesEnvKey(presented)) {
      principal = { kind: "env_key", id: options.envKeys.variable, orgId: null, scopes: options.envKeys.scopes };
    } else {
      const result = await keyVerifierFor(c.get("services")).verify(presented);
      if (!result.ok) throw unauthorized(result.reason);
      principal = result.principal;
    }

    if (!hasScopes(principal, options.scopes)) {
      const missing = options.scopes.filter((scope) => !principal.scopes.includes(scope));
      throw new AppError("forbidden", `The API key lacks the scope ${missing.join(", ")}`, { details: { missingScopes: missing } });
    }
    c.set("principal", principal);
    c.set("log", c.get("log").child({ principal: principal.id }));
    await next();
  };
}
