import { afterAll, beforeAll, describe } from "vitest";
import { type AuthFixture, createAuthFixture, describeAuthChecks } from "../support/auth-checks.ts";
import { createTestApp, type TestApp } from "../support/test-app.ts";
import { captureTimes, insertAthlete, insertSessions } from "./biomech-data.ts";

let t: TestApp;
let fixture: AuthFixture;
let sessionId: string;

beforeAll(async () => {
  t = await createTestApp({ env: { LOG_LEVEL: "trace" } });
  fixture = await createAuthFixture(t, ["biomech:read"]);
  const athlete = await insertAthlete(t.services.db, fixture.orgA);
  [sessionId] = (await insertSessions(t.services.db, fixture.orgA, athlete, captureTimes(3))) as [string];
});
afterAll(() => t.close());

describe("GET /api/biomech/sessions security", () => {
  describeAuthChecks({
    app: () => t,
    fixture: () => fixture,
    request: (f) => ({ method: "GET", path: `/api/biomech/sessions?orgId=${f.orgA}` }),
    otherOrgStatus: 403,
  });
});

describe("GET /api/biomech/sessions/{sessionId} security", () => {
  describeAuthChecks({
    app: () => t,
    fixture: () => fixture,
    request: (f) => ({ method: "GET", path: `/api/biomech/sessions/${sessionId}?orgId=${f.orgA}` }),
    otherOrgStatus: 404,
  });
});
