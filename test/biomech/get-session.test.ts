import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { newId } from "../../src/platform/ids.ts";
import { createKey } from "../../src/platform/keys/create-key.ts";
import { createOrg } from "../../src/platform/orgs/create-org.ts";
import { createTestApp, type TestApp } from "../support/test-app.ts";
import { captureTimes, insertAthlete, insertSessions } from "./biomech-data.ts";

const ENV_KEY = "env-key-0123456789abcdefghijklmnop";
let t: TestApp;
let orgA: string;
let orgB: string;
let sessionA: string;
let sessionB: string;
let keyA: string;

beforeAll(async () => {
  t = await createTestApp({ env: { BIOMECH_API_KEYS: ENV_KEY } });
  const { db, config } = t.services;
  orgA = (await createOrg(db, { name: "A" })).id;
  orgB = (await createOrg(db, { name: "B" })).id;
  [sessionA] = (await insertSessions(db, orgA, await insertAthlete(db, orgA), captureTimes(1))) as [string];
  [sessionB] = (await insertSessions(db, orgB, await insertAthlete(db, orgB), captureTimes(1))) as [string];
  keyA = (await createKey(db, { secret: config.BACKPLANE_SECRET, name: "a", orgId: orgA, scopes: ["biomech:read"], createdBy: "test" }))
    .key;
});
afterAll(() => t.close());

describe("GET /api/biomech/sessions/{sessionId}", () => {
  it("returns the session with the minimal fields", async () => {
    const res = await t.call("GET", `/api/biomech/sessions/${sessionA}?orgId=${orgA}`, { headers: { "x-api-key": keyA } });
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ id: sessionA, kind: "jump", durationMs: 1000, capturedAt: "2026-01-01T00:00:00.000Z" });
    expect(res.text).not.toContain("SN-SECRET-1");
  });

  it("404 alike for a missing session and for another org's session", async () => {
    const missing = await t.call("GET", `/api/biomech/sessions/${newId("ses")}?orgId=${orgA}`, { headers: { "x-api-key": keyA } });
    expect(missing.status).toBe(404);
    // Session of org B, asked for as org A: the org filter is in the query.
    const elsewhere = await t.call("GET", `/api/biomech/sessions/${sessionB}?orgId=${orgA}`, { headers: { "x-api-key": keyA } });
    expect(elsewhere.status).toBe(404);
    expect(elsewhere.body.error.code).toBe("not_found");
    // Key of org A asking as org B: 404 too, the same body shape.
    const crossOrg = await t.call("GET", `/api/biomech/sessions/${sessionB}?orgId=${orgB}`, { headers: { "x-api-key": keyA } });
    expect(crossOrg.status).toBe(404);
  });

  it("400 without orgId or with a malformed session id", async () => {
    expect((await t.call("GET", `/api/biomech/sessions/${sessionA}`, { headers: { "x-api-key": keyA } })).status).toBe(400);
    expect((await t.call("GET", `/api/biomech/sessions/nope?orgId=${orgA}`, { headers: { "x-api-key": keyA } })).status).toBe(400);
  });

  it("an env key reads any org's session", async () => {
    const res = await t.call("GET", `/api/biomech/sessions/${sessionB}?orgId=${orgB}`, { headers: { "x-api-key": ENV_KEY } });
    expect(res.status).toBe(200);
    expect(res.body.id).toBe(sessionB);
  });
});
