import type { Redis } from "ioredis";
import type { HealthCheck } from "../module.ts";

/** A lazily connected client that fails fast, for probes: no offline queue, no endless retry. */
export function redisHealthCheck(url: string): { check: HealthCheck; close: () => Promise<void> } {
  let client: Redis | null = null;
  let loading: Promise<{ Redis: typeof Redis }> | null = null;
  // ioredis rejects a failed connect with a bare "Connection is closed."; the reason
  // (ECONNREFUSED, a DNS failure, auth) arrives as an `error` event. Kept for the log line.
  let lastError: Error | null = null;
  return {
    check: async () => {
      // ioredis is loaded with the first probe, not at boot; concurrent first probes share one client.
      if (!client) loading ??= import("ioredis");
      const { Redis: RedisClient } = await (loading as Promise<{ Redis: typeof Redis }>);
      if (!client) {
        client = new RedisClient(url, {
          lazyConnect: true,
          enableOfflineQueue: false,
          maxRetriesPerRequest: 0,
          connectTimeout: 1_500,
          retryStrategy: () => null,
        });
        // Once per client, not per probe (a listener per probe leaked: MaxListenersExceededWarning).
        // Without a listener an `error` event would crash the process.
        client.on("error", (error: Error) => {
          lastError = error;
        });
      }
      lastError = null;
      try {
        if (client.status === "wait" || client.status === "end") {
          client.disconnect();
          await client.connect();
        }
        const answer = await client.ping();
        if (answer !== "PONG") throw new Error(`unexpected PING answer ${answer}`);
      } catch (error) {
        const reason = lastError as Error | null; // set by the listener meanwhile
        throw reason ? new Error(`redis: ${reason.message}`, { cause: reason }) : error;
      }
    },
    close: async () => {
      client?.disconnect();
      client = null;
    },
  };
}
