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
            // A keep-alive socket becomes idle once its response is sent: keep sweeping
            // idle sockets so draining ends when the last in-flight request does.
            const sweep = setInterval(() => server.closeIdleConnections(), 25);
            const timer = setTimeout(() => {
              clearInterval(sweep);
              server.closeAllConnections();
              done({ drained: false });
            }, timeoutMs);
            server.close(() => {
              clearTimeout(timer);
              clearInterval(sweep);
              done({ drained: true });
            });
            server.closeIdleConnections();
          }),
      });
    });
  });
}
