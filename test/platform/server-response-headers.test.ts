import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { afterEach, describe, expect, it } from "vitest";
import { type ResponseRequest, responseRequest } from "../../src/platform/http/response-request-id.ts";
import { responseWithHeaders } from "../../src/platform/server/server-response.ts";

// listen()'s response class writes the server's headers and the request id in writeHead; the
// app's own headers must still win, whichever way they were set, and never come out twice.
describe("the Node server's response class", () => {
  let server: Server | undefined;
  afterEach(() => new Promise<void>((done) => (server ? server.close(() => done()) : done())));

  async function answer(handle: Parameters<typeof createServer>[1]) {
    server = createServer(
      {
        ServerResponse: responseWithHeaders([
          ["X-Frame-Options", "SAMEORIGIN"],
          ["X-Content-Type-Options", "nosniff"],
        ]),
      },
      handle,
    );
    await new Promise<void>((done) => server?.listen(0, "127.0.0.1", done));
    const { port } = server.address() as AddressInfo;
    const response = await fetch(`http://127.0.0.1:${port}/`);
    await response.arrayBuffer();
    return response;
  }

  it("adds the server's headers and the request id to writeHead's own, then tells the request the status", async () => {
    const statuses: number[] = [];
    const response = await answer((_, res) => {
      (res as unknown as Record<symbol, ResponseRequest>)[responseRequest] = {
        id: "rid-1",
        headWritten: (status) => statuses.push(status),
      };
      res.writeHead(201, { "content-type": "application/json" }).end("{}");
    });
    expect(response.status).toBe(201);
    expect(response.headers.get("x-frame-options")).toBe("SAMEORIGIN");
    expect(response.headers.get("x-content-type-options")).toBe("nosniff");
    expect(response.headers.get("x-request-id")).toBe("rid-1");
    expect(response.headers.get("content-type")).toBe("application/json");
    expect(statuses).toEqual([201]);
  });

  it("lets a header passed to writeHead under the same name win, once", async () => {
    const response = await answer((_, res) => {
      (res as unknown as Record<symbol, ResponseRequest>)[responseRequest] = { id: "rid-2", headWritten: () => {} };
      res.writeHead(200, "Fine", { "x-frame-options": "DENY", "X-Request-Id": "own" }).end();
    });
    expect(response.statusText).toBe("Fine");
    expect(response.headers.get("x-frame-options")).toBe("DENY");
    expect(response.headers.get("x-request-id")).toBe("own");
    expect(response.headers.get("x-content-type-options")).toBe("nosniff");
  });

  it("lets a header set before writeHead win, and adds the rest", async () => {
    const response = await answer((_, res) => {
      res.setHeader("X-Frame-Options", "DENY");
      res.appendHeader("x-extra", "1");
      res.writeHead(200, ["content-type", "text/plain"]).end("ok");
    });
    expect(response.headers.get("x-frame-options")).toBe("DENY");
    expect(response.headers.get("x-content-type-options")).toBe("nosniff");
    expect(response.headers.get("x-extra")).toBe("1");
    expect(response.headers.get("x-request-id")).toBeNull();
  });

  it("adds them to an implicit head (end() without writeHead)", async () => {
    const response = await answer((_, res) => {
      res.statusCode = 404;
      res.end("gone");
    });
    expect(response.status).toBe(404);
    expect(response.headers.get("x-frame-options")).toBe("SAMEORIGIN");
  });
});
