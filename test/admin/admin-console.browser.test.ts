import { existsSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { type BrowserContext, chromium, type Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import { availableModules } from "../../src/modules/registry.ts";
import { producerOf } from "../../src/platform/jobs/producer-of.ts";
import { DEAD_LETTER_QUEUE } from "../../src/platform/jobs/queues.ts";
import { type RunningWorker, startWorker } from "../../src/platform/jobs/start-worker.ts";
import { createKey } from "../../src/platform/keys/create-key.ts";
import { createOrg } from "../../src/platform/orgs/create-org.ts";
import { type Listening, listen } from "../../src/platform/server/listen.ts";
import { fastJobsEnv } from "../jobs/support/fast-env.ts";
import { waitFor } from "../jobs/support/wait-for.ts";
import { createTestApp, type TestApp } from "../support/test-app.ts";
import { dbKind } from "../support/test-database.ts";
import { logStep, makeWorkflow, postTrigger } from "../workflows/support.ts";

const chromiumPath = "/usr/bin/chromium";
const haveChromium = existsSync(chromiumPath);
if (!haveChromium) console.warn("!! /usr/bin/chromium is missing (apt-get install chromium): the admin console browser test is SKIPPED");
// Set to a folder (docs/images) to write a screenshot of each page there; otherwise they are taken and checked, not kept.
const screenshotDir = inject("adminScreenshotDir");

// The console is the same on either database: run it once, in the pglite project.
describe.runIf(haveChromium && dbKind === "pglite")("admin console end to end in headless Chromium", () => {
  let t: TestApp;
  let server: Listening;
  let adminKey: string;
  let orgId: string;
  let deadLetterId: string;
  let runId: string;
  let profile: string;

  beforeAll(async () => {
    t = await createTestApp({ env: { ...fastJobsEnv, LOG_LEVEL: "info" } });
    const { db, config } = t.services;
    // What an operator runs once: `backplane keys create --name ops --scopes admin:console`.
    adminKey = (
      await createKey(db, {
        secret: config.BACKPLANE_SECRET,
        name: "ops console",
        orgId: null,
        scopes: ["admin:console"],
        createdBy: "cli",
      })
    ).key;
    orgId = (await createOrg(db, { name: "Acme Logistics", slug: "acme-logistics" })).id;
    await createOrg(db, { name: "Globex Health", slug: "globex-health" });
    // A workflow run with steps and logs, through the real trigger and worker.
    const orgKey = await createKey(db, {
      secret: config.BACKPLANE_SECRET,
      name: "acme backend",
      orgId,
      scopes: ["workflows:create", "workflows:read"],
      createdBy: "cli",
    });
    const workflow = await makeWorkflow(t, orgKey.key, {
      name: "Order received",
      steps: [logStep("note", "order {{trigger.body.orderId}} received")],
    });
    const accepted = await postTrigger(t, workflow.triggers[0]?.key as string, JSON.stringify({ orderId: "A-1042" }));
    runId = ((await accepted.json()) as { runId: string }).runId;
    const worker: RunningWorker = await startWorker(t.services, availableModules);
    try {
      await waitFor("the run to finish", async () => {
        const [row] = await db.query<{ status: string }>("SELECT status FROM workflows.runs WHERE id = $1", [runId]);
        return row?.status === "succeeded" || row?.status === "failed";
      });
    } finally {
      await worker.stop(1);
    }
    // A job that failed for good, as the worker leaves it in the dead-letter queue.
    deadLetterId = (await (
      await producerOf(t.services.jobs)
    ).send(DEAD_LETTER_QUEUE, {
      job: "training.process-activity",
      queue: "default",
      // jsonb lists keys shortest first: the long one last, where the preview cuts it.
      payload: { userId: "usr_3k9x2m7q8w1e5r4t6y0u", activityId: "act_88213", source: "garmin", rawSummary: "x".repeat(600) },
    })) as string;
    await db.query("UPDATE pgboss.job SET source_retry_count = 3, source_output = $2 WHERE id = $1", [
      deadLetterId,
      JSON.stringify({ message: "provider answered 502 Bad Gateway" }),
    ]);
    server = await listen(t.app, { port: 0, host: "127.0.0.1" });
    profile = mkdtempSync(path.join(tmpdir(), "bp-admin-chromium-"));
  }, 60_000);

  afterAll(async () => {
    await server?.close(1_000);
    await t?.close();
    if (profile) rmSync(profile, { recursive: true, force: true });
  });

  it("signs in, creates a key and reads it once, revokes it, replays a dead letter, sees the audit rows, signs out; no CSP violation, no console error", async () => {
    const context: BrowserContext = await chromium.launchPersistentContext(profile, {
      executablePath: chromiumPath,
      headless: true,
      args: [
        "--headless",
        "--no-sandbox",
        "--disable-gpu",
        "--disable-quic",
        "--no-first-run",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
      ],
      viewport: { width: 1280, height: 860 },
      deviceScaleFactor: 1,
    });
    const problems: string[] = [];
    const external: string[] = [];
    try {
      const page: Page = context.pages()[0] ?? (await context.newPage());
      await page.route("**/*", (route) => {
        const url = route.request().url();
        if (url.startsWith(server.url)) return route.continue();
        external.push(url);
        return route.abort();
      });
      page.on("pageerror", (error) => problems.push(`page error: ${error.message}`));
      page.on("console", (message) => {
        if (message.type() === "error" || /Content Security Policy/i.test(message.text()))
          problems.push(`console ${message.type()}: ${message.text()}`);
      });
      page.on("dialog", (dialog) => void dialog.accept());
      // As page code (strings: the test's TypeScript has no DOM types): every violation is kept.
      await context.addInitScript({
        content: `window.cspViolations = [];
          document.addEventListener("securitypolicyviolation", (event) => window.cspViolations.push(event.violatedDirective + " " + event.blockedURI));`,
      });
      const violations: string[] = [];
      const checkPage = async (name: string) => {
        violations.push(...(await page.evaluate<string[]>("window.cspViolations")).map((v) => `${name}: ${v}`));
        const shot = await page.screenshot(screenshotDir ? { path: path.join(screenshotDir, `admin-${name}.png`) } : {});
        expect(shot.subarray(1, 4).toString()).toBe("PNG");
      };

      // Sign in.
      const first = await page.goto(`${server.url}/admin`);
      expect(first?.url()).toBe(`${server.url}/admin/sign-in`);
      expect(first?.headers()["content-security-policy"]).toContain("script-src 'self'");
      await checkPage("sign-in");
      await page.fill("#key", adminKey);
      await Promise.all([page.waitForURL(`${server.url}/admin/orgs`), page.click("button[type=submit]")]);
      const cookies = await context.cookies();
      const session = cookies.find((cookie) => cookie.name === "bp_admin");
      expect(session).toMatchObject({ httpOnly: true, sameSite: "Strict", path: "/" });
      expect(await page.textContent("h1")).toBe("Orgs");
      await checkPage("orgs");

      // The org's keys: create one, read it once.
      await Promise.all([page.waitForURL(`**/admin/keys?org=${orgId}`), page.click(`a[href="/admin/keys?org=${orgId}"]`)]);
      await page.fill("input[name=name]", "billing-service");
      await page.check("input[name=scope][value='audit:read']");
      await page.check("input[name=scope][value='workflows:read']");
      await page.fill("input[name=expiresInDays]", "90");
      await Promise.all([page.waitForURL(`${server.url}/admin/keys`), page.click("form[action='/admin/keys'] button[type=submit]")]);
      const secret = ((await page.textContent("#new-key")) ?? "").trim();
      expect(secret).toMatch(/^bp_live_/);
      await checkPage("key-created");
      const works = await fetch(`${server.url}/api/v1/audit?orgId=${orgId}`, { headers: { "x-api-key": secret } });
      expect(works.status).toBe(200);
      await Promise.all([page.waitForURL(`**/admin/keys?org=${orgId}`), page.click("text=Back to the keys")]);
      expect(await page.content()).not.toContain(secret);
      const keyRow = page.locator("tr", { hasText: "billing-service" });
      expect(await keyRow.locator(".status").textContent()).toBe("active");

      // Revoke it (the page asks first; the dialog is accepted).
      await Promise.all([page.waitForURL(/done=key-revoked/), keyRow.locator("button.danger").click()]);
      expect(await page.textContent(".notice")).toContain("Key revoked");
      expect(await page.locator("tr", { hasText: "billing-service" }).locator(".status").textContent()).toBe("revoked");
      const refused = await fetch(`${server.url}/api/v1/audit?orgId=${orgId}`, { headers: { "x-api-key": secret } });
      expect(refused.status).toBe(401);
      await checkPage("keys");

      // Queues: replay the dead letter.
      await Promise.all([page.waitForURL(`${server.url}/admin/queues`), page.click("nav a[href='/admin/queues']")]);
      const deadRow = page.locator("tr", { hasText: deadLetterId });
      expect(await deadRow.textContent()).toContain("provider answered 502");
      expect(await deadRow.textContent()).toContain("more characters");
      await checkPage("queues");
      await Promise.all([page.waitForURL(/done=dlq-replayed/), deadRow.locator("button").click()]);
      expect(await page.textContent(".notice")).toContain("Dead letters sent back to their queue");
      expect(await page.locator("tr", { hasText: deadLetterId }).count()).toBe(0);
      const [left] = await t.services.db.query<{ n: number }>("SELECT count(*)::int AS n FROM pgboss.job WHERE id = $1 AND name = $2", [
        deadLetterId,
        DEAD_LETTER_QUEUE,
      ]);
      expect(left?.n).toBe(0);

      // The other pages render under the same policy.
      await page.click("nav a[href='/admin/webhooks']");
      await page.waitForSelector("h1:text('Webhook events')");
      await checkPage("webhooks");
      await page.click("nav a[href='/admin/workflows']");
      await page.waitForSelector("h1:text('Workflow runs')");
      await checkPage("workflows");
      await Promise.all([page.waitForURL(`**/admin/workflows/runs/${runId}`), page.click(`a[href='/admin/workflows/runs/${runId}']`)]);
      expect(await page.textContent("main")).toContain("order A-1042 received");
      await checkPage("workflow-run");

      // The audit log shows what this session did.
      await page.click("nav a[href='/admin/audit']");
      await page.waitForSelector("h1:text('Audit log')");
      const audit = (await page.textContent("tbody")) ?? "";
      for (const action of ["admin.signed_in", "key.created", "key.revoked", "dlq.replayed"]) expect(audit).toContain(action);
      await page.fill("input[name=action]", "key.*");
      await Promise.all([page.waitForURL(/action=key/), page.click("form.filters button[type=submit]")]);
      const filtered = (await page.textContent("tbody")) ?? "";
      expect(filtered).toContain("key.revoked");
      expect(filtered).not.toContain("dlq.replayed");
      await checkPage("audit");

      // Sign out: back to the form, and the console is closed again.
      await Promise.all([page.waitForURL(`${server.url}/admin/sign-in`), page.click("header button[type=submit]")]);
      expect((await context.cookies()).find((cookie) => cookie.name === "bp_admin")).toBeUndefined();
      await page.goto(`${server.url}/admin/audit`);
      expect(page.url()).toBe(`${server.url}/admin/sign-in`);
      violations.push(...(await page.evaluate<string[]>("window.cspViolations")).map((v) => `after sign-out: ${v}`));

      expect(violations).toEqual([]);
      expect(problems).toEqual([]);
      expect(external).toEqual([]);
    } finally {
      await context.close();
    }
  }, 120_000);
});
