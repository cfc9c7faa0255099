import { trpcServer } from "@hono/trpc-server";
import type { AppRouter as HttpRouter } from "../../../platform/http/app-env.ts";
import type { Services } from "../../../platform/module.ts";
import { appRouter } from "./app-router.ts";
import { appErrorOf } from "./errors.ts";
import type { TrainingContext } from "./trpc.ts";

export const TRPC_ENDPOINT = "/trpc";

/** Serves `appRouter` at /trpc through the platform's middleware (request id, body limit, logging). */
export function mountTrpc(app: HttpRouter, services: Services): void {
  app.use(
    `${TRPC_ENDPOINT}/*`,
    trpcServer({
      router: appRouter,
      endpoint: TRPC_ENDPOINT,
      createContext: (_opts, c) => ({ services, http: c, requestId: c.get("requestId") }) satisfies TrainingContext,
      onError({ error, ctx }) {
        const appError = appErrorOf(error);
        if (appError.status >= 500 && appError.status !== 503) {
          (ctx as TrainingContext | undefined)?.http.get("log").error({ err: error.cause ?? error }, "tRPC procedure failed");
        }
      },
      responseMeta({ errors }) {
        // Retry-After, WWW-Authenticate…: what the REST answer to the same error would carry.
        const headers = new Headers({ "cache-control": "no-store" });
        for (const error of errors) {
          for (const [name, value] of Object.entries(appErrorOf(error).headers)) headers.set(name, value);
        }
        return { headers };
      },
    }),
  );
}
