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

  it("renders the API from assets Backplane serves itself, with no internet", async () => {
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
      await page.goto(`${server.url}/api/docs`);
      await page.waitForSelector(".swagger-ui .info .title", { timeout: 15_000 });
      expect(await page.textContent(".swagger-ui .info .title")).toContain("Backplane API");
      await page.waitForSelector(".opblock-summary-path", { timeout: 15_000 });
      const paths = await page.$$eval(".opblock-summary-path", (nodes) => nodes.map((node) => node.textContent ?? ""));
      expect(paths.join(" ")).toContain("/api/v1/healthz");
      expect(external).toEqual([]);
      expect(errors).toEqual([]);
    } finally {
      await browser.close();
    }
  }, 60_000);
});
