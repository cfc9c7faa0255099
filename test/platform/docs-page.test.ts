import { existsSync } from "node:fs";
import { chromium } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type Listening, listen } from "../../src/platform/server/listen.ts";
import { createTestApp, type TestApp } from "../support/test-app.ts";
import { dbKind } from "../support/test-database.ts";

const chromiumPath = "/usr/bin/chromium";
const haveChromium = existsSync(chromiumPath);
if (!haveChromium) console.warn("!! /usr/bin/chromium is missing (apt-get install chromium): the docs-page browser test is SKIPPED");

// The page is the same on either database: run it once, in the pglite project.
describe.runIf(haveChromium && dbKind === "pglite")("interactive docs page in headless Chromium", () => {
  let t: TestApp;
  let server: Listening;
  beforeAll(async () => {
    t = await createTestApp();
    server = await listen(t.app, { port: 0, host: "127.0.0.1" });
  });
  afterAll(async () => {
    await server.close(1_000);
    await t.close();
  });

  it("sends a Content-Security-Policy on the page and its script", async () => {
    for (const path of ["/api/docs", "/api/docs/assets/init.js"]) {
      const res = await fetch(`${server.url}${path}`);
      const csp = res.headers.get("content-security-policy") ?? "";
      expect(csp, path).toContain("script-src 'self'");
      expect(csp).toContain("default-src 'none'");
      expect(csp).not.toContain("unsafe-inline");
      expect(csp).not.toContain("unsafe-eval");
    }
  });

  it("renders the API from assets Backplane serves itself, with no internet, no CSP violation, and keeps no key in storage", async () => {
    const browser = await chromium.launch({
      executablePath: chromiumPath,
      args: [
        "--no-sandbox",
        "--disable-gpu",
        "--disable-quic",
        "--no-first-run",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
      ],
    });
    try {
      const page = await browser.newPage();
      const external: string[] = [];
      await page.route("**/*", (route) => {
        const url = route.request().url();
        if (url.startsWith(server.url) || url.startsWith("data:")) return route.continue();
        external.push(url);
        return route.abort();
      });
      const errors: string[] = [];
      page.on("pageerror", (error) => errors.push(error.message));
      const cspReports: string[] = [];
      page.on("console", (message) => {
        if (/Content Security Policy/i.test(message.text())) cspReports.push(message.text());
      });
      // As page code (strings: the test's TypeScript has no DOM types): collects every violation.
      await page.addInitScript({
        content: `window.cspViolations = [];
          document.addEventListener("securitypolicyviolation", (event) => window.cspViolations.push(event.violatedDirective + " " + event.blockedURI));`,
      });
      const response = await page.goto(`${server.url}/api/docs`);
      expect(response?.headers()["content-security-policy"]).toContain("default-src 'none'");
      await page.waitForSelector(".swagger-ui .info .title", { timeout: 15_000 });
      expect(await page.textContent(".swagger-ui .info .title")).toContain("Backplane API");
      await page.waitForSelector(".opblock-summary-path", { timeout: 15_000 });
      const paths = await page.$$eval(".opblock-summary-path", (nodes) => nodes.map((node) => node.textContent ?? ""));
      expect(paths.join(" ")).toContain("/api/v1/healthz");
      expect(external).toEqual([]);
      expect(errors).toEqual([]);

      // Authorize with a key as a user would; the key must not be written to storage.
      const key = "bp_live_DocsPageKeyMustNotPersist0000";
      await page.click(".btn.authorize");
      await page.fill(".auth-container input", key);
      await page.click(".auth-btn-wrapper .btn.authorize");
      await page.waitForSelector(".auth-btn-wrapper .btn-done, .auth-btn-wrapper button:has-text('Logout')", { timeout: 5_000 });
      const stored = await page.evaluate<string>("JSON.stringify({ local: { ...localStorage }, session: { ...sessionStorage } })");
      expect(stored).not.toContain(key);
      expect(stored).not.toContain("DocsPageKey");

      // The whole visit, rendering and authorizing, stayed inside the policy.
      expect(await page.evaluate<string[]>("window.cspViolations")).toEqual([]);
      expect(cspReports).toEqual([]);
    } finally {
      await browser.close();
    }
  }, 60_000);
});
