import { Redis } from "ioredis";
import type { HealthCheck } from "../module.ts";

/** A lazily connected client that fails fast, for probes: no offline queue, no endless retry. */
export function redisHealthCheck(url: string): { check: HealthCheck; close: () => Promise<void> } {
  let client: Redis | null = null;
  return {
    check: async () => {
      client ??= new Redis(url, {
        lazyConnect: true,
        enableOfflineQueue: false,
        maxRetriesPerRequest: 0,
        connectTimeout: 1_500,
        retryStrategy: () => null,
      });
      client.on("error", () => {});
      if (client.status === "wait" || client.status === "end") {
        client.disconnect();
        await client.connect();
      }
      const answer = await client.ping();
      if (answer !== "PONG") throw new Error(`unexpected PING answer ${answer}`);
    },
    close: async () => {
      client?.disconnect();
      client = null;
    },
  };
}
