import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { availableModules } from "../../src/modules/registry.ts";
import { createTestApp, type TestApp } from "../support/test-app.ts";
import { bolaFilters, bolaRows, createWorld, type OrgWorld, type Req } from "./bola-matrix.ts";

/**
 * Broken object-level authorization, route by route: org A's key (every scope) sent with org
 * B's ids is refused and learns nothing of B. Table-driven: new modules add rows in bola-matrix.ts.
 */
describe("BOLA matrix: two orgs, every route that takes an id or an org", () => {
  let t: TestApp;
  let a: OrgWorld;
  let b: OrgWorld;
  const send = (key: string, req: Req) =>
    t.call(req.method, req.path, { headers: { "x-api-key": key }, ...(req.body === undefined ? {} : { body: req.body }) });

  beforeAll(async () => {
    t = await createTestApp();
    a = await createWorld(t, "A", availableModules);
    b = await createWorld(t, "B", availableModules);
  });
  afterAll(async () => {
    await t?.close();
  });

  it.each(bolaRows)("$route: $status for another org's ids, success for the caller's own", async (row) => {
    const attack = await send(a.key, await row.attack(a, b));
    expect(attack.status, attack.text).toBe(row.status);
    for (const secret of b.secrets) expect(attack.text).not.toContain(secret);
    const control = await send(a.key, await row.control(a));
    expect(control.status, control.text).toBe(row.controlStatus ?? 200);
  });

  it.each(bolaFilters)("$route: answers without any of the other org's data", async (row) => {
    const answer = await send(a.key, row.request(a, b));
    expect(answer.status, answer.text).toBe(200);
    for (const secret of b.secrets) expect(answer.text).not.toContain(secret);
  });

  it("the other org's objects are untouched by the attacks", async () => {
    // B's own key still works and still sees its own session.
    const own = await send(b.key, { method: "GET", path: `/api/biomech/sessions/${b.sessionId}?orgId=${b.orgId}` });
    expect(own.status, own.text).toBe(200);
    const keys = await send(b.key, { method: "GET", path: `/api/v1/keys?orgId=${b.orgId}` });
    expect(keys.status).toBe(200);
    expect(keys.body.data.filter((key: { revokedAt: string | null }) => key.revokedAt !== null)).toEqual([]);
  });
});
