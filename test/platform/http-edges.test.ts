import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { probeModule } from "../support/probe-module.ts";
import { createTestApp, type TestApp } from "../support/test-app.ts";

// Crafted paths and inputs from the outside review (issue 8): each is a 4xx in the envelope, never a 500.
describe("HTTP edges", () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await createTestApp();
  });
  afterAll(() => t.close());

  it("docs assets named after Object.prototype members are a 404, not a 500", async () => {
    for (const name of ["constructor", "__proto__", "toString", "valueOf", "hasOwnProperty", "isPrototypeOf"]) {
      const res = await t.call("GET", `/api/docs/assets/${name}`);
      expect(res.status, name).toBe(404);
      expect(res.body.error.code).toBe("not_found");
    }
    expect((await t.call("GET", "/api/docs/assets/swagger-ui.css")).status).toBe(200);
    expect(t.logs.some((line) => line.includes('"level":50'))).toBe(false);
  });

  it("a trailing slash is a 404 for every route, never a misleading 405", async () => {
    const withSlash = await t.call("GET", "/api/health/");
    expect(withSlash.status).toBe(404);
    expect(withSlash.body.error.code).toBe("not_found");
    expect(withSlash.headers.get("allow")).toBeNull();

    const routes = t.app.routes.filter((route) => route.method !== "ALL" && !route.path.includes("*"));
    expect(routes.length).toBeGreaterThan(10);
    for (const route of routes) {
      const path = `${route.path.replace(/:[^/]+/g, "x")}/`;
      const res = await t.call(route.method, path);
      expect(res.status, `${route.method} ${path}`).toBe(404);
    }
    // Without the slash the wrong method is still a 405.
    expect((await t.call("DELETE", "/api/health")).status).toBe(405);
  });
});

describe("HTTP edges on a probe route", () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await createTestApp({ modules: [probeModule] });
  });
  afterAll(() => t.close());

  it("a path parameter route with a trailing slash is a 404", async () => {
    const res = await t.call("POST", "/api/probe/echo/abc/", { body: { name: "x", count: 1 } });
    expect(res.status).toBe(404);
  });
});
