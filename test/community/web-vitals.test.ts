import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { communityModule } from "../../src/modules/community/module.ts";
import { createTestApp, type TestApp } from "../support/test-app.ts";

let t: TestApp;

beforeAll(async () => {
  t = await createTestApp({ env: { LOG_LEVEL: "warn", TRUST_PROXY_HOPS: "1" }, modules: [communityModule] });
});
afterAll(async () => {
  await t.close();
});

let ip = 0;
const post = (body: unknown, headers: Record<string, string> = {}) =>
  t.call("POST", "/api/web-vitals", { body, headers: { "x-forwarded-for": `198.51.100.${++ip % 250}`, ...headers } });
const metric = (name: string, value: number, page: string) => ({
  id: `v4-${name}-${value}`,
  name,
  value,
  rating: "good",
  navigationType: "navigate",
  page,
});

describe("POST/GET /api/web-vitals", () => {
  it("p75 per metric per page equals the hand-computed CrUX-style percentile", async () => {
    // LCP on /p75: 1000..2000 step 100 (11 values). percentile_cont(0.75): index 0.75*10 = 7.5 -> (1700+1800)/2 = 1750.
    for (let value = 1000; value <= 2000; value += 100) expect((await post(metric("LCP", value, "/p75"))).status).toBe(204);
    // CLS on /p75: 0.01, 0.05, 0.2, 0.3 -> index 2.25 -> 0.2 + 0.25*(0.3-0.2) = 0.225 (needs-improvement).
    expect((await post([0.01, 0.05, 0.2, 0.3].map((value) => metric("CLS", value, "/p75")))).status).toBe(204);
    // Another page's values stay out of /p75's.
    await post(metric("LCP", 9000, "/other"));

    const res = await t.call("GET", "/api/web-vitals?page=/p75&days=1");
    expect(res.status).toBe(200);
    expect(res.body.windowDays).toBe(1);
    const byName = Object.fromEntries(res.body.data.map((row: { name: string }) => [row.name, row]));
    expect(byName.LCP).toEqual({ page: "/p75", name: "LCP", p75: 1750, samples: 11, rating: "good" });
    expect(byName.CLS.p75).toBeCloseTo(0.225, 10);
    expect(byName.CLS).toMatchObject({ samples: 4, rating: "needs-improvement" });
    const all = await t.call("GET", "/api/web-vitals");
    expect(all.body.data.some((row: { page: string; p75: number }) => row.page === "/other" && row.p75 === 9000)).toBe(true);
  });

  it("accepts navigator.sendBeacon's text/plain body and the reportWebVitals shape (pathname, delta); drops query strings", async () => {
    const res = await t.call("POST", "/api/web-vitals", {
      body: JSON.stringify({
        id: "v4-1",
        name: "TTFB",
        value: 420,
        delta: 420,
        rating: "good",
        navigationType: "reload",
        pathname: "/beacon?utm=x#top",
      }),
      headers: { "content-type": "text/plain;charset=UTF-8", "x-forwarded-for": "192.0.2.1" },
    });
    expect(res.status, res.text).toBe(204);
    const rows = await t.services.db.query("SELECT page, navigation_type FROM community.web_vitals WHERE metric_id = 'v4-1'");
    expect(rows).toEqual([{ page: "/beacon", navigation_type: "reload" }]);
  });

  it("refuses bad measurements with 400 and other media types with 415, storing nothing", async () => {
    const before = await t.services.db.query("SELECT count(*)::int AS n FROM community.web_vitals");
    for (const body of [
      { id: "x", name: "XYZ", value: 1, page: "/" },
      { id: "x", name: "LCP", value: -1, page: "/" },
      { id: "x", name: "LCP", value: 1 },
      { id: "x", name: "LCP", value: 1, page: "no-slash" },
      { name: "LCP", value: 1, page: "/" },
      [],
    ]) {
      const res = await post(body);
      expect(res.status, JSON.stringify(body)).toBe(400);
    }
    expect((await post("not json", { "content-type": "text/plain" })).body.error.code).toBe("invalid_json");
    expect((await post("a=b", { "content-type": "application/x-www-form-urlencoded", "content-length": "3" })).status).toBe(415);
    expect((await t.call("GET", "/api/web-vitals?days=0")).status).toBe(400);
    expect(await t.services.db.query("SELECT count(*)::int AS n FROM community.web_vitals")).toEqual(before);
  });

  it("is rate-limited per IP (429 with Retry-After)", async () => {
    let last = 0;
    for (let i = 0; i < 301; i++) {
      last = (await post(metric("FCP", 100, "/flood"), { "x-forwarded-for": "203.0.113.99" })).status;
      if (last === 429) break;
    }
    expect(last).toBe(429);
  });

  it("the daily cleanup deletes measurements older than WEB_VITALS_RETENTION_DAYS", async () => {
    await t.services.db.query(
      "INSERT INTO community.web_vitals (name, value, metric_id, page, recorded_at) VALUES ('LCP', 1, 'old', '/old', now() - interval '31 days')",
    );
    const { runCleanup } = await import("../support/run-cleanup.ts");
    expect(await runCleanup(t, "community.web-vitals")).toEqual({ measurements: 1 });
    expect(await t.services.db.query("SELECT 1 FROM community.web_vitals WHERE metric_id = 'old'")).toEqual([]);
    expect((await t.services.db.query("SELECT 1 FROM community.web_vitals")).length).toBeGreaterThan(0);
  });
});
