import { recordAuditEvent, serviceSource } from "../../src/platform/audit/record-audit-event.ts";
import { catalogOf } from "../../src/platform/catalog.ts";
import { createKey } from "../../src/platform/keys/create-key.ts";
import type { BackplaneModule } from "../../src/platform/module.ts";
import { createOrg } from "../../src/platform/orgs/create-org.ts";
import { captureTimes, insertAthlete, insertSessions } from "../biomech/biomech-data.ts";
import type { TestApp } from "../support/test-app.ts";

/** One org's objects: every id a route can take, and an org-bound key holding every scope. */
export interface OrgWorld {
  label: string;
  orgId: string;
  /** Org-bound, every scope in the catalog: a refusal is never about scopes. */
  key: string;
  keyId: string;
  athleteId: string;
  sessionId: string;
  /** A fresh key of this org to revoke or rotate (each call makes a new one). */
  spareKey(): Promise<string>;
  /** Strings that must never appear in an answer to the other org. */
  secrets: string[];
}

export interface Req {
  method: string;
  path: string;
  body?: unknown;
}

/**
 * A route that takes an id or an org. `attack` is what org A's key sends with org B's ids; it
 * must be refused with `status` and reveal none of B's data. `control` is the same request on
 * A's own objects, which must succeed: a row whose control fails tests nothing. A new module
 * adds its rows here (and its objects to `createWorld`).
 */
export interface BolaRow {
  route: string;
  attack: (a: OrgWorld, b: OrgWorld) => Req | Promise<Req>;
  control: (a: OrgWorld) => Req | Promise<Req>;
  status: 403 | 404;
  controlStatus?: number;
}

export const bolaRows: BolaRow[] = [
  {
    route: "GET /api/biomech/sessions?orgId=",
    attack: (_a, b) => ({ method: "GET", path: `/api/biomech/sessions?orgId=${b.orgId}` }),
    control: (a) => ({ method: "GET", path: `/api/biomech/sessions?orgId=${a.orgId}` }),
    status: 403,
  },
  {
    route: "GET /api/biomech/sessions/{id}?orgId= (other org named)",
    attack: (_a, b) => ({ method: "GET", path: `/api/biomech/sessions/${b.sessionId}?orgId=${b.orgId}` }),
    control: (a) => ({ method: "GET", path: `/api/biomech/sessions/${a.sessionId}?orgId=${a.orgId}` }),
    status: 404,
  },
  {
    route: "GET /api/biomech/sessions/{id}?orgId= (own org named, other org's session)",
    attack: (a, b) => ({ method: "GET", path: `/api/biomech/sessions/${b.sessionId}?orgId=${a.orgId}` }),
    control: (a) => ({ method: "GET", path: `/api/biomech/sessions/${a.sessionId}?orgId=${a.orgId}` }),
    status: 404,
  },
  {
    route: "GET /api/v1/keys?orgId=",
    attack: (_a, b) => ({ method: "GET", path: `/api/v1/keys?orgId=${b.orgId}` }),
    control: (a) => ({ method: "GET", path: `/api/v1/keys?orgId=${a.orgId}` }),
    status: 403,
  },
  {
    route: "POST /api/v1/keys {orgId}",
    attack: (_a, b) => ({ method: "POST", path: "/api/v1/keys", body: { name: "bola", orgId: b.orgId, scopes: ["biomech:read"] } }),
    control: (a) => ({ method: "POST", path: "/api/v1/keys", body: { name: "bola", orgId: a.orgId, scopes: ["biomech:read"] } }),
    status: 403,
    controlStatus: 201,
  },
  {
    route: "DELETE /api/v1/keys/{id}",
    attack: async (_a, b) => ({ method: "DELETE", path: `/api/v1/keys/${await b.spareKey()}` }),
    control: async (a) => ({ method: "DELETE", path: `/api/v1/keys/${await a.spareKey()}` }),
    status: 404,
  },
  {
    route: "DELETE /api/v1/keys/{id}?cascade=true",
    attack: (_a, b) => ({ method: "DELETE", path: `/api/v1/keys/${b.keyId}?cascade=true` }),
    control: async (a) => ({ method: "DELETE", path: `/api/v1/keys/${await a.spareKey()}?cascade=true` }),
    status: 404,
  },
  {
    route: "POST /api/v1/keys/{id}/rotate",
    attack: async (_a, b) => ({ method: "POST", path: `/api/v1/keys/${await b.spareKey()}/rotate`, body: {} }),
    control: async (a) => ({ method: "POST", path: `/api/v1/keys/${await a.spareKey()}/rotate`, body: {} }),
    status: 404,
    controlStatus: 201,
  },
  {
    route: "PATCH /api/v1/keys/{id}",
    attack: (_a, b) => ({ method: "PATCH", path: `/api/v1/keys/${b.keyId}`, body: { rateLimit: null } }),
    control: async (a) => ({ method: "PATCH", path: `/api/v1/keys/${await a.spareKey()}`, body: { rateLimit: null } }),
    status: 404,
  },
  {
    route: "GET /api/v1/audit?orgId=",
    attack: (_a, b) => ({ method: "GET", path: `/api/v1/audit?orgId=${b.orgId}` }),
    control: (a) => ({ method: "GET", path: `/api/v1/audit?orgId=${a.orgId}` }),
    status: 403,
  },
  {
    route: "GET /api/v1/queue/dlq (platform-wide keys only)",
    attack: () => ({ method: "GET", path: "/api/v1/queue/dlq" }),
    control: () => ({ method: "GET", path: "/api/health" }),
    status: 403,
  },
];

/** Requests org A's key may make that name B's objects but answer 200: the answer must simply hold none of B's data. */
export const bolaFilters: { route: string; request: (a: OrgWorld, b: OrgWorld) => Req }[] = [
  {
    route: "GET /api/biomech/sessions?orgId=A&athleteId=B's athlete",
    request: (a, b) => ({ method: "GET", path: `/api/biomech/sessions?orgId=${a.orgId}&athleteId=${b.athleteId}` }),
  },
  { route: "GET /api/v1/audit?targetId=B's key", request: (_a, b) => ({ method: "GET", path: `/api/v1/audit?targetId=${b.keyId}` }) },
  { route: "GET /api/v1/keys (no org named)", request: () => ({ method: "GET", path: "/api/v1/keys" }) },
  { route: "GET /api/v1/audit (no org named)", request: () => ({ method: "GET", path: "/api/v1/audit" }) },
];

let worlds = 0;

/** Makes one org with one of every object, through the services (the service context of a test). */
export async function createWorld(t: TestApp, label: string, modules: BackplaneModule[]): Promise<OrgWorld> {
  const { db, config } = t.services;
  const marker = `bola-${label}-${process.pid}-${++worlds}`;
  const orgId = (await createOrg(db, { name: marker })).id;
  const scopes = catalogOf(modules).scopeNames;
  const make = (name: string) => createKey(db, { secret: config.BACKPLANE_SECRET, name, orgId, scopes, createdBy: "test" });
  const key = await make(`${marker}-admin`);
  const athleteId = await insertAthlete(db, orgId);
  const [sessionId] = await insertSessions(db, orgId, athleteId, captureTimes(2));
  await recordAuditEvent(db, {
    ...serviceSource("test"),
    orgId,
    action: "test.bola",
    target: { type: "api_key", id: key.id },
    metadata: { marker },
  });
  return {
    label,
    orgId,
    key: key.key,
    keyId: key.id,
    athleteId,
    sessionId: sessionId as string,
    spareKey: async () => (await make(`${marker}-spare`)).id,
    secrets: [marker, athleteId, key.key, key.prefix],
  };
}
