import type { TestApp } from "../support/test-app.ts";

export const as = (key: string) => ({ "x-api-key": key });

export const logStep = (name = "note", message = "got {{trigger.body.orderId}}") => ({ type: "log", name, level: "info", message });

/** Creates a workflow through the API and returns the answer (with its trigger keys). */
export async function makeWorkflow(t: TestApp, key: string, body: Record<string, unknown> = {}) {
  const res = await t.call("POST", "/api/v1/workflows", {
    headers: as(key),
    body: { name: "Order received", triggers: [{ name: "shop" }], steps: [logStep()], ...body },
  });
  if (res.status !== 201) throw new Error(`workflow not created: ${res.status} ${res.text}`);
  return res.body as { id: string; triggers: { id: string; key: string; prefix: string }[] } & Record<string, unknown>;
}

/** POST a raw body to a trigger URL. */
export function postTrigger(
  t: TestApp,
  key: string,
  body: string | Uint8Array,
  headers: Record<string, string> = { "content-type": "application/json" },
) {
  return t.app.request(`/api/v1/triggers/${key}`, { method: "POST", headers, body });
}

export const count = async (t: TestApp, sql: string, params: unknown[] = []) =>
  ((await t.services.db.query<{ n: number }>(`SELECT count(*)::int AS n FROM (${sql}) AS q`, params))[0] as { n: number }).n;
