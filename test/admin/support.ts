import { expect } from "vitest";
import { createKey } from "../../src/platform/keys/create-key.ts";
import type { TestApp } from "../support/test-app.ts";

/** What app.request() sees as this server's origin. */
export const ORIGIN = "http://localhost";

export interface AdminBrowser {
  keyId: string;
  key: string;
  /** `bp_admin=…`, for the Cookie header. */
  cookie: string;
  /** The session's CSRF token, read from a page's form as a browser would. */
  csrf: string;
  get(path: string, headers?: Record<string, string>): Promise<Response> | Response;
  /** A same-origin form post with the session's CSRF token (override or drop fields to test refusals). */
  post(
    path: string,
    fields?: Record<string, string | string[] | undefined>,
    options?: { headers?: Record<string, string>; csrf?: string | null },
  ): Promise<Response> | Response;
}

export async function makeAdminKey(t: TestApp, scopes = ["admin:console"], orgId: string | null = null) {
  return createKey(t.services.db, { secret: t.config.BACKPLANE_SECRET, name: "operator", orgId, scopes, createdBy: "test" });
}

export function formBody(fields: Record<string, string | string[] | undefined>): string {
  const params = new URLSearchParams();
  for (const [name, value] of Object.entries(fields)) for (const one of [value ?? []].flat()) params.append(name, one);
  return params.toString();
}

export function postSignIn(t: TestApp, key: string, headers: Record<string, string> = { origin: ORIGIN }) {
  return t.app.request("/admin/sign-in", {
    method: "POST",
    headers: { "content-type": "application/x-www-form-urlencoded", ...headers },
    body: formBody({ key }),
  });
}

export const csrfOf = (page: string) => /name="_csrf" value="([^"]+)"/.exec(page)?.[1];

/** Signs in with a fresh admin key (or `key`) through the form, as a browser would. */
export async function signInAdmin(t: TestApp, existing?: { id: string; key: string }): Promise<AdminBrowser> {
  const made = existing ?? (await makeAdminKey(t));
  const res = await postSignIn(t, made.key);
  expect(res.status, await res.clone().text()).toBe(303);
  const cookie = (res.headers.get("set-cookie") ?? "").split(";")[0] as string;
  const get = (path: string, headers: Record<string, string> = {}) => t.app.request(path, { headers: { cookie, ...headers } });
  const page = await (await get("/admin/orgs")).text();
  const csrf = csrfOf(page);
  if (!csrf) throw new Error("no CSRF field on /admin/orgs");
  return {
    keyId: made.id,
    key: made.key,
    cookie,
    csrf,
    get,
    post(path, fields = {}, options = {}) {
      const token = options.csrf === undefined ? csrf : options.csrf;
      return t.app.request(path, {
        method: "POST",
        headers: { "content-type": "application/x-www-form-urlencoded", cookie, origin: ORIGIN, ...options.headers },
        body: formBody(token === null ? fields : { ...fields, _csrf: token }),
      });
    },
  };
}

/** The audit rows of one action, newest first. */
export async function auditRows(t: TestApp, action: string) {
  return t.services.db.query<{
    actor_type: string;
    actor_id: string;
    org_id: string | null;
    target_type: string | null;
    target_id: string | null;
    metadata: unknown;
  }>(
    "SELECT actor_type, actor_id, org_id, target_type, target_id, metadata FROM backplane.audit_events WHERE action = $1 ORDER BY seq DESC",
    [action],
  );
}
