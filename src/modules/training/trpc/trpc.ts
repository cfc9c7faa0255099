import { initTRPC } from "@trpc/server";
import { TRPC_ERROR_CODES_BY_KEY } from "@trpc/server/rpc";
import type { Context } from "hono";
import type { Principal } from "../../../platform/auth/principal.ts";
import type { AppEnv } from "../../../platform/http/app-env.ts";
import { AppError } from "../../../platform/http/errors.ts";
import { authenticateUser, type UserAuthFailure } from "../../../platform/identity/authenticate-user.ts";
import { enforceSameOrigin } from "../../../platform/identity/csrf.ts";
import { userTenant } from "../../../platform/identity/identity-settings.ts";
import type { Services } from "../../../platform/module.ts";
import type { TenantContext } from "../../../platform/tenancy/with-tenant.ts";
import { appErrorOf, trpcCodeOf } from "./errors.ts";

/** What every procedure gets: the platform services and the Hono request it arrived on. */
export interface TrainingContext {
  services: Services;
  /** The Hono context of the /trpc request (headers, client IP, request id, log). */
  http: Context<AppEnv>;
  requestId: string;
}

/** What `userProcedure` adds: the signed-in user and the tenant context of their rows. */
export interface UserContext {
  principal: Principal;
  userId: string;
  tenant: TenantContext;
}

const t = initTRPC.context<TrainingContext>().create({
  // Plain JSON, no transformer: any tRPC client (and WatermelonDB's documented fetch examples) can talk to it.
  errorFormatter({ shape, error, ctx }) {
    const appError = appErrorOf(error);
    const trpcCode = trpcCodeOf(appError.status);
    const hidden = appError.code === "internal_error";
    return {
      message: hidden ? "Internal server error" : appError.message,
      code: TRPC_ERROR_CODES_BY_KEY[trpcCode],
      data: {
        code: trpcCode,
        /** tRPC answers with this status (a batch of mixed statuses: 207). */
        httpStatus: appError.status,
        path: shape.data.path,
        /** The platform's error code, as in the REST error envelope (`conflict`, `unauthorized`, `validation_failed`…). */
        platformCode: appError.code,
        requestId: ctx?.requestId ?? "unknown",
        details: hidden ? undefined : (appError.details as unknown),
      },
    };
  },
});

export const router = t.router;
export const mergeRouters = t.mergeRouters;
export const middleware = t.middleware;

/** Anyone may call (sign-in). */
export const publicProcedure = t.procedure;

const unauthorizedMessages: Record<UserAuthFailure, string> = {
  missing: "Sign in first: send Authorization: Bearer <access token>",
  session_invalid: "The session has ended or is not recognized; sign in again",
  token_invalid: "The access token is invalid, expired or its session has ended; refresh it or sign in again",
};

// One authentication per HTTP request, however many procedures a batch carries.
const authentications = new WeakMap<Context<AppEnv>, ReturnType<typeof authenticateUser>>();

/**
 * A signed-in user: `Authorization: Bearer <access token>` (the mobile app) or the session
 * cookie (a browser; mutations must then be same-origin). 401 `unauthorized` otherwise.
 */
export const userProcedure = t.procedure.use(async ({ ctx, next }) => {
  let pending = authentications.get(ctx.http);
  if (!pending) {
    pending = authenticateUser(ctx.http);
    authentications.set(ctx.http, pending);
  }
  const auth = await pending;
  if (!auth.ok) {
    throw new AppError("unauthorized", unauthorizedMessages[auth.reason], {
      details: { reason: auth.reason },
      headers: { "WWW-Authenticate": 'Bearer realm="backplane"' },
    });
  }
  if (auth.principal.user?.via === "cookie") enforceSameOrigin(ctx.http);
  ctx.http.set("principal", auth.principal);
  return next({ ctx: { principal: auth.principal, userId: auth.principal.id, tenant: userTenant(auth.principal) } satisfies UserContext });
});
