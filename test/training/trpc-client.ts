import { createTRPCClient, httpBatchLink, httpLink } from "@trpc/client";
import type { AppRouter } from "../../src/modules/training/trpc/app-router.ts";

/** A tRPC client as the mobile app builds it: plain JSON, Bearer access token, batching on unless `batch: false`. */
export function trpcClient(url: string, token: string | null, options: { batch?: boolean } = {}) {
  const link = options.batch === false ? httpLink : httpBatchLink;
  return createTRPCClient<AppRouter>({
    links: [link({ url: `${url}/trpc`, headers: () => (token ? { authorization: `Bearer ${token}` } : {}) })],
  });
}
