import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { producerOf } from "../../src/platform/jobs/producer-of.ts";
import { DEAD_LETTER_QUEUE, JOBS_QUEUE } from "../../src/platform/jobs/queues.ts";
import { createTestApp, type TestApp } from "../support/test-app.ts";
import { type AdminBrowser, auditRows, signInAdmin } from "./support.ts";

let t: TestApp;
let browser: AdminBrowser;

beforeAll(async () => {
  t = await createTestApp();
  browser = await signInAdmin(t);
});
afterAll(() => t.close());

/** Dead letters as the worker leaves them: the job's envelope, in the dead-letter queue. */
async function seedDeadLetters(items: { queue: string; payload: unknown }[]): Promise<string[]> {
  const boss = await producerOf(t.services.jobs);
  const ids: string[] = [];
  for (const item of items) {
    const id = await boss.send(DEAD_LETTER_QUEUE, { job: "admin.test-job", queue: item.queue, payload: item.payload });
    ids.push(id as string);
  }
  return ids;
}
const inQueue = async (name: string, id: string) =>
  (await t.services.db.query("SELECT 1 FROM pgboss.job WHERE name = $1 AND id = $2", [name, id])).length > 0;

describe("admin console: queues", () => {
  it("shows depth by state and queue, and each dead letter with an escaped, truncated payload preview", async () => {
    const long = `<img src=x onerror=alert(1)>${"x".repeat(5_000)}`;
    const [id] = await seedDeadLetters([{ queue: "bulk", payload: { note: long } }]);
    const res = await browser.get("/admin/queues");
    expect(res.status).toBe(200);
    const page = await res.text();
    for (const queue of ["critical", "default", "bulk"]) expect(page).toContain(`<strong>${queue}</strong>`);
    expect(page).toContain(id);
    expect(page).toContain("&lt;img src=x onerror=alert(1)&gt;");
    expect(page).not.toContain("<img src=x");
    expect(page).not.toContain("x".repeat(400));
    expect(page).toMatch(/more characters\)/);
    const bulkRow = page.split("<tr>").find((row) => row.includes("<strong>bulk</strong>")) ?? "";
    expect(bulkRow).toContain('href="/admin/queues?queue=bulk"');
  });

  it("replays a dead letter into its queue (audited as the admin key); a second replay moves nothing", async () => {
    const [id] = (await seedDeadLetters([{ queue: "default", payload: { order: 42 } }])) as [string];
    expect((await browser.post(`/admin/queues/dlq/${id}/replay`, {}, { csrf: null })).status).toBe(403);
    expect(await inQueue(DEAD_LETTER_QUEUE, id)).toBe(true);
    const res = await browser.post(`/admin/queues/dlq/${id}/replay`);
    expect(res.status).toBe(303);
    expect(res.headers.get("location")).toBe(`/admin/queues?done=dlq-replayed&id=${id}`);
    expect(await inQueue(DEAD_LETTER_QUEUE, id)).toBe(false);
    const [row] = await auditRows(t, "dlq.replayed");
    expect(row).toMatchObject({ actor_type: "api_key", actor_id: browser.keyId, target_type: "dead_letter", target_id: id });
    const jobId = (row as { metadata: { jobs: { jobId: string }[] } }).metadata.jobs[0]?.jobId as string;
    const [job] = await t.services.db.query<{ data: { payload: unknown } }>("SELECT data FROM pgboss.job WHERE name = $1 AND id = $2", [
      JOBS_QUEUE,
      jobId,
    ]);
    expect(job?.data.payload).toEqual({ order: 42 });
    const again = await browser.post(`/admin/queues/dlq/${id}/replay`);
    expect(again.headers.get("location")).toContain("done=dlq-nothing");
    expect((await auditRows(t, "dlq.replayed")).length).toBe(1);
    expect((await browser.post("/admin/queues/dlq/not-a-uuid/replay")).status).toBe(404);
  });

  it("replays every dead letter of one queue, leaving the others", async () => {
    const critical = await seedDeadLetters([
      { queue: "critical", payload: { n: 1 } },
      { queue: "critical", payload: { n: 2 } },
    ]);
    const [other] = (await seedDeadLetters([{ queue: "default", payload: { n: 3 } }])) as [string];
    expect((await browser.post("/admin/queues/dlq/replay", { queue: "nope" })).status).toBe(400);
    const res = await browser.post("/admin/queues/dlq/replay", { queue: "critical" });
    expect(res.status).toBe(303);
    for (const id of critical) expect(await inQueue(DEAD_LETTER_QUEUE, id)).toBe(false);
    expect(await inQueue(DEAD_LETTER_QUEUE, other)).toBe(true);
    const listed = await (await browser.get("/admin/queues?queue=critical")).text();
    expect(listed).toContain("No dead letters in this queue");
  });

  it("pages the dead letters with the jobs platform's signed cursor", async () => {
    await seedDeadLetters(Array.from({ length: 30 }, (_, n) => ({ queue: "bulk", payload: { page: n } })));
    const first = await (await browser.get("/admin/queues?queue=bulk")).text();
    const next = /href="\/admin\/queues\?([^"]*cursor=[^"]+)" rel="next"/.exec(first)?.[1]?.replaceAll("&amp;", "&") as string;
    expect(next).toBeTruthy();
    const second = await browser.get(`/admin/queues?${next}`);
    expect(second.status).toBe(200);
    expect((await browser.get(`/admin/queues?${next.replace("queue=bulk", "queue=default")}`)).status).toBe(400);
  });
});
