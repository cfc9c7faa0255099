import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createApp } from "../../src/platform/http/create-app.ts";
import { createTestApp, type TestApp } from "../support/test-app.ts";

// The 405 lookup (method-not-allowed.ts) builds its table from the routes once, at the first
// unmatched request. A route added after requests began would be served but missing from it (a
// review found that when the remembering router took late routes); like Hono's own routers, the
// app refuses them instead, and everything registered up front keeps its 405 and Allow.
describe("a route registered after the app has answered requests", () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await createTestApp();
  });
  afterAll(() => t?.close());

  it("is refused loudly, and the routes registered up front still answer 405 with Allow", async () => {
    const app = createApp({ services: t.services, modules: [] });
    expect((await app.request("/api/nothing-yet")).status).toBe(404);
    expect(() => app.get("/api/late", (c) => c.text("late"))).toThrow(/matcher is already built/);
    expect((await app.request("/api/late")).status).toBe(404);
    const wrongMethod = await app.request("/api/health", { method: "DELETE" });
    expect(wrongMethod.status).toBe(405);
    expect(wrongMethod.headers.get("allow")).toBe("GET, HEAD");
  });
});
