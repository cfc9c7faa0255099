import type { Server } from "node:http";
import type { AddressInfo } from "node:net";
import { serve } from "@hono/node-server";
import type { AppRouter } from "../http/app-env.ts";

export interface Listening {
  server: Server;
  url: string;
  /** Stops accepting, waits for in-flight requests up to `timeoutMs`, then cuts the rest. */
  close(timeoutMs: number): Promise<{ drained: boolean }>;
}

export function listen(app: AppRouter, options: { port: number; host: string }): Promise<Listening> {
  return new Promise((resolve, reject) => {
    const server = serve({ fetch: app.fetch, port: options.port, hostname: options.host }) as Server;
    server.once("error", reject);
    server.once("listening", () => {
      const address = server.address() as AddressInfo;
      const host = address.family === "IPv6" ? `[${address.address}]` : address.address;
      resolve({
        server,
        url: `http://${host}:${address.port}`,
        close: (timeoutMs) =>
          new Promise((done) => {
            const timer = setTimeout(() => {
              server.closeAllConnections();
              done({ drained: false });
            }, timeoutMs);
            // close() stops accepting and ends idle keep-alive sockets; busy ones end after their response.
            server.close(() => {
              clearTimeout(timer);
              done({ drained: true });
            });
            server.closeIdleConnections();
          }),
      });
    });
  });
}
