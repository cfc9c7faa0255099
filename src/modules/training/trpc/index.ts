/**
 * `backplane/trpc`: the type of the training API's tRPC router, for the mobile app.
 *
 *   import type { AppRouter } from "backplane/trpc";
 *   const trpc = createTRPCClient<AppRouter>({ links: [httpBatchLink({ url: `${base}/trpc`, headers })] });
 *
 * Plain JSON on the wire (no transformer): dates are `YYYY-MM-DD` strings, instants epoch ms.
 */

export type { TrainingSettings } from "../settings.ts";
export type { AppRouter } from "./app-router.ts";
