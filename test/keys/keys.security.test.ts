import { afterAll, beforeAll, describe } from "vitest";
import { createKey } from "../../src/platform/keys/create-key.ts";
import { type AuthFixture, createAuthFixture, describeAuthChecks } from "../support/auth-checks.ts";
import { createTestApp, type TestApp } from "../support/test-app.ts";

let t: TestApp;
let fixture: AuthFixture;

beforeAll(async () => {
  t = await createTestApp({ env: { LOG_LEVEL: "trace" } });
  fixture = await createAuthFixture(t, ["keys:manage"], "biomech:read");
});
afterAll(() => t.close());

/** A fresh key in org A for the mutating routes to act on. */
async function targetKey(f: AuthFixture): Promise<string> {
  const created = await createKey(t.services.db, {
    secret: t.config.BACKPLANE_SECRET,
    name: "target",
    orgId: f.orgA,
    scopes: ["keys:manage"], // one the fixture's good key holds, so it may rotate it
    createdBy: "test",
  });
  f.secrets.add(created.key);
  return created.id;
}

const common = { app: () => t, fixture: () => fixture };

describe("POST /api/v1/keys security", () => {
  describeAuthChecks({
    ...common,
    request: (f) => ({ method: "POST", path: "/api/v1/keys", body: { name: "new", orgId: f.orgA, scopes: ["keys:manage"] } }),
    okStatus: 201,
    otherOrgStatus: 403,
  });
});

describe("GET /api/v1/keys security", () => {
  describeAuthChecks({ ...common, request: (f) => ({ method: "GET", path: `/api/v1/keys?orgId=${f.orgA}` }), otherOrgStatus: 403 });
});

describe("DELETE /api/v1/keys/{id} security", () => {
  describeAuthChecks({
    ...common,
    request: async (f) => ({ method: "DELETE", path: `/api/v1/keys/${await targetKey(f)}` }),
    otherOrgStatus: 404,
  });
});

describe("POST /api/v1/keys/{id}/rotate security", () => {
  describeAuthChecks({
    ...common,
    request: async (f) => ({ method: "POST", path: `/api/v1/keys/${await targetKey(f)}/rotate`, body: { overlapSeconds: 60 } }),
    okStatus: 201,
    otherOrgStatus: 404,
  });
});
