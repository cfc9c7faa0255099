import type { Context, MiddlewareHandler, Next } from "hono";
import type { AppEnv } from "../http/app-env.ts";
import { AppError } from "../http/errors.ts";
import { authenticateUser, type UserAuthFailure } from "../identity/authenticate-user.ts";
import { enforceSameOrigin } from "../identity/csrf.ts";
import { limitApiKey } from "../ratelimit/api-key-limit.ts";
import { envKeyMatcher } from "./env-keys.ts";
import { keyFailureLimitFor } from "./key-failure-limit.ts";
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
  /**
   * Who may call (default: API keys only). `user`: a signed-in user, by the session cookie
   * (unsafe methods must then be same-origin: CSRF) or `Authorization: Bearer <access token>`.
   */
  principals?: readonly ("api_key" | "user")[];
}

const failureMessages: Record<KeyFailure | UserAuthFailure | "missing_user", string> = {
  missing_user: "Sign in first: send the session cookie or Authorization: Bearer <access token>",
  session_invalid: "The session has ended or is not recognized; sign in again",
  token_invalid: "The access token is invalid, expired or its session has ended; refresh it or sign in again",
  missing: "Send an API key in the X-API-Key header (or Authorization: Bearer)",
  malformed: "The API key is malformed",
  unknown: "The API key is not recognized",
  expired: "The API key has expired",
  revoked: "The API key has been revoked",
};

function unauthorized(reason: keyof typeof failureMessages): AppError {
  return new AppError("unauthorized", failureMessages[reason], {
    details: { reason: reason === "missing_user" ? "missing" : reason },
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
  const takesUsers = options.principals?.includes("user") ?? false;
  const takesKeys = options.principals?.includes("api_key") ?? true;
  return async (c, next) => {
    if (takesUsers) {
      const user = await authenticateUser(c);
      if (user.ok) {
        if (user.principal.user?.via === "cookie") enforceSameOrigin(c);
        return accept(c, user.principal, next);
      }
      // An API key presented beside a dead cookie still counts where keys are taken.
      if (!takesKeys || user.reason !== "missing" || readCredential(c) === null) {
        throw unauthorized(user.reason === "missing" ? (takesKeys ? "missing" : "missing_user") : user.reason);
      }
    }
    const presented = readCredential(c);
    if (presented === null) throw unauthorized("missing");

    let principal: Principal;
    if (options.envKeys && matchesEnvKey(presented)) {
      principal = { kind: "env_key", id: options.envKeys.variable, orgId: null, scopes: options.envKeys.scopes };
    } else {
      const services = c.get("services");
      const failures = keyFailureLimitFor(services.config);
      await failures.refuseIfSpent(c);
      const result = await keyVerifierFor(services).verify(presented);
      if (!result.ok) {
        await failures.record(c);
        throw unauthorized(result.reason);
      }
      principal = result.principal;
    }

    return accept(c, principal, next);
  };

  async function accept(c: Context<AppEnv>, principal: Principal, next: Next): Promise<void> {
    if (!hasScopes(principal, options.scopes)) {
      const missing = options.scopes.filter((scope) => !principal.scopes.includes(scope));
      throw new AppError("forbidden", `The API key lacks the scope ${missing.join(", ")}`, { details: { missingScopes: missing } });
    }
    c.set("principal", principal);
    c.set("log", c.get("log").child({ principal: principal.id })); // lazy: see lazyChild
    if (principal.kind === "api_key") await limitApiKey(c, principal);
    await next();
  }
}
