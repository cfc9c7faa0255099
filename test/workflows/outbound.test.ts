import { createServer, type IncomingMessage, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { guardedRequest, OutboundError } from "../../src/platform/outbound/guarded-request.ts";

let server: Server;
let port: number;
beforeAll(async () => {
  server = createServer((req: IncomingMessage, res) => {
    if (req.url?.startsWith("/redirect")) {
      res.writeHead(302, { location: new URL(req.url, "http://x").searchParams.get("to") ?? "/" });
      return res.end();
    }
    if (req.url === "/big") {
      res.writeHead(200, { "content-type": "text/plain" });
      return res.end("y".repeat(3 * 1024 * 1024));
    }
    if (req.url === "/slow") return setTimeout(() => res.end("late"), 2000);
    res.writeHead(200, { "content-type": "application/json" });
    res.end('{"ok":true}');
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  port = (server.address() as AddressInfo).port;
});
afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

const call = (url: string, allowedHosts: string[] = [], timeoutMs = 3000) =>
  guardedRequest({ method: "GET", url }, { allowedHosts, timeoutMs });

describe("SSRF guard", () => {
  it.each([
    "http://127.0.0.1:PORT/",
    "http://[::1]:PORT/",
    "http://10.0.0.1/",
    "http://172.16.0.1/",
    "http://172.31.255.254/",
    "http://192.168.1.1/",
    "http://169.254.169.254/latest/meta-data/",
    "http://100.64.0.1/",
    "http://0.0.0.0:PORT/",
    "http://[::ffff:127.0.0.1]:PORT/",
    "http://[::ffff:7f00:1]:PORT/",
    "http://[fd00:ec2::254]/",
    "http://[fe80::1]/",
    "http://224.0.0.1/",
    "http://localhost:PORT/",
  ])("refuses %s", async (template) => {
    const url = template.replace("PORT", String(port));
    await expect(call(url)).rejects.toThrow(/refused: .*(private|loopback|link-local|reserved)/);
  });

  it("refuses a redirect from an allowed host to a private address, and non-http schemes", async () => {
    await expect(call(`http://127.0.0.1:${port}/redirect?to=http://169.254.169.254/latest/meta-data/`, ["127.0.0.1"])).rejects.toThrow(
      /refused: 169\.254\.169\.254/,
    );
    await expect(call(`http://127.0.0.1:${port}/redirect?to=http://10.1.2.3/`, ["127.0.0.1"])).rejects.toThrow(/refused/);
    await expect(call("file:///etc/passwd")).rejects.toThrow(/only http and https/);
    await expect(call("http://user:pw@example.com/")).rejects.toThrow(OutboundError);
  });

  it("reaches an allowlisted local host, follows a redirect there, caps the body at 1 MB and times out", async () => {
    const ok = await call(`http://127.0.0.1:${port}/redirect?to=/json`, ["127.0.0.1"]);
    expect(ok.status).toBe(200);
    expect(ok.body.toString()).toBe('{"ok":true}');
    const big = await call(`http://127.0.0.1:${port}/big`, ["127.0.0.0/8"]);
    expect(big.truncated).toBe(true);
    expect(big.body.length).toBe(1024 * 1024);
    await expect(call(`http://127.0.0.1:${port}/slow`, ["127.0.0.1"], 300)).rejects.toThrow(/timed out after 300 ms/);
  });
});
