import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { getRequestListener } from "@hono/node-server";
import type { AppRouter } from "../http/app-env.ts";
import { responseWithHeaders } from "./server-response.ts";

export interface Listening {
  server: Server;
  url: string;
  /** Stops accepting, waits for in-flight requests up to `timeoutMs`, then cuts the rest. */
  close(timeoutMs: number): Promise<{ drained: boolean }>;
}

export interface ListenOptions {
  port: number;
  host: string;
  /** Headers put on every response by the Node server (merged under the app's own, in `writeHead`). */
  headers?: readonly (readonly [string, string])[];
}

export function listen(app: AppRouter, options: ListenOptions): Promise<Listening> {
  return new Promise((resolve, reject) => {
    const server = createServer({ ServerResponse: responseWithHeaders(options.headers ?? []) }, getRequestListener(app.fetch));
    server.once("error", reject);
    server.listen(options.port, options.host);
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
