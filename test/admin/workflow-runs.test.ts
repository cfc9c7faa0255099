import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createOrg } from "../../src/platform/orgs/create-org.ts";
import { createTestApp, type TestApp } from "../support/test-app.ts";
import { type AdminBrowser, signInAdmin } from "./support.ts";

let t: TestApp;
let browser: AdminBrowser;
let orgA: string;
let orgB: string;
const runIds: string[] = [];

async function seedRun(orgId: string, workflowId: string, n: number, status = "succeeded") {
  const id = `run_admin${orgId.slice(4, 10)}${String(n).padStart(3, "0")}`;
  await t.services.db.query(
    `INSERT INTO workflows.runs (id, org_id, workflow_id, status, steps, context, error, started_at, finished_at)
     VALUES ($1, $2, $3, $4, '[]', '{}', $5, now(), now())`,
    [id, orgId, workflowId, status, status === "failed" ? "<b>step http failed</b>" : null],
  );
  return id;
}

beforeAll(async () => {
  t = await createTestApp();
  browser = await signInAdmin(t);
  orgA = (await createOrg(t.services.db, { name: `Runs A ${Date.now()}` })).id;
  orgB = (await createOrg(t.services.db, { name: `Runs B ${Date.now()}` })).id;
  for (const [org, wf] of [
    [orgA, "wf_adminorgaflow"],
    [orgB, "wf_adminorgbflow"],
  ] as const) {
    await t.services.db.query(
      "INSERT INTO workflows.workflows (id, org_id, name, priority, steps, created_by) VALUES ($1, $2, $3, 'default', '[]', 'test')",
      [wf, org, `Flow <i>${org.slice(-4)}</i>`],
    );
  }
  // 60 runs in org A, then 3 in org B, one failed: more than a page, and seq well past 9 and 10.
  for (let n = 0; n < 60; n++) runIds.push(await seedRun(orgA, "wf_adminorgaflow", n));
  for (let n = 0; n < 3; n++) runIds.push(await seedRun(orgB, "wf_adminorgbflow", n, n === 2 ? "failed" : "succeeded"));
  const run = runIds[0] as string;
  await t.services.db.query(
    `INSERT INTO workflows.step_runs (run_id, step_index, org_id, name, type, status, attempts, output, error)
     VALUES ($1, 0, $2, 'notify', 'http_request', 'succeeded', 2, $3, NULL), ($1, 1, $2, 'note', 'log', 'failed', 3, NULL, 'boom <script>')`,
    [run, orgA, JSON.stringify({ response: { body: `<img src=x>${"o".repeat(800)}` } })],
  );
  await t.services.db.query(
    `INSERT INTO workflows.logs (id, org_id, level, message, metadata, workflow_id) VALUES
       ('log_adminmine1', $1, 'info', $2, $3, 'wf_adminorgaflow'),
       ('log_adminmine2', $1, 'error', 'step note failed', $3, 'wf_adminorgaflow'),
       ('log_adminother', $1, 'info', 'another run', $4, 'wf_adminorgaflow')`,
    [orgA, `run ${run} started <u>now</u>`, JSON.stringify({ runId: run }), JSON.stringify({ runId: runIds[1] })],
  );
});
afterAll(() => t.close());

describe("admin console: workflow runs (the workflows module's page)", () => {
  it("appears in the navigation and lists every org's runs newest first, 50 a page", async () => {
    const res = await browser.get("/admin/workflows");
    expect(res.status).toBe(200);
    const page = await res.text();
    expect(page).toContain('<a href="/admin/workflows" aria-current="page">Workflow runs</a>');
    const listed = [...page.matchAll(/<a href="\/admin\/workflows\/runs\/(run_[0-9a-z]+)">/g)].map((m) => m[1]);
    expect(listed).toEqual([...runIds].reverse().slice(0, 50));
    expect(page).toContain("Flow &lt;i&gt;");
    expect(page).toContain("&lt;b&gt;step http failed&lt;/b&gt;");
    const next = /href="\/admin\/workflows\?([^"]*cursor=[^"]+)" rel="next"/.exec(page)?.[1]?.replaceAll("&amp;", "&") as string;
    const second = await (await browser.get(`/admin/workflows?${next}`)).text();
    const rest = [...second.matchAll(/<a href="\/admin\/workflows\/runs\/(run_[0-9a-z]+)">/g)].map((m) => m[1]);
    expect(rest).toEqual([...runIds].reverse().slice(50));
  });

  it("filters by org, workflow and status", async () => {
    const ids = async (query: string) =>
      [...(await (await browser.get(`/admin/workflows?${query}`)).text()).matchAll(/\/admin\/workflows\/runs\/(run_[0-9a-z]+)/g)].map(
        (m) => m[1],
      );
    expect(await ids(`org=${orgB}`)).toEqual(runIds.slice(60).reverse());
    expect(await ids("workflow=wf_adminorgbflow&status=failed")).toEqual([runIds[62]]);
    expect((await browser.get("/admin/workflows?status=odd")).status).toBe(400);
    expect((await browser.get("/admin/workflows?org=x")).status).toBe(400);
  });

  it("opens a run with its steps (escaped, output truncated) and only its own log lines", async () => {
    const run = runIds[0] as string;
    const res = await browser.get(`/admin/workflows/runs/${run}`);
    const page = await res.text();
    expect(res.status, page).toBe(200);
    expect(page).toContain("notify");
    expect(page).toContain("http_request");
    expect(page).toContain("&lt;img src=x&gt;");
    expect(page).not.toContain("<img src=x>");
    expect(page).not.toContain("o".repeat(400));
    expect(page).toContain("boom &lt;script&gt;");
    expect(page).toContain("started &lt;u&gt;now&lt;/u&gt;");
    expect(page).toContain("step note failed");
    expect(page).not.toContain("another run");
    expect((await browser.get("/admin/workflows/runs/run_doesnotexist")).status).toBe(404);
    expect((await browser.get("/admin/workflows/runs/nope")).status).toBe(404);
  });

  it("needs the admin session like every console page", async () => {
    const anonymous = await t.app.request(`/admin/workflows/runs/${runIds[0]}`);
    expect(anonymous.status).toBe(303);
    expect(anonymous.headers.get("location")).toBe("/admin/sign-in");
  });
});
