import { html } from "hono/html";
import type { AdminContext } from "./admin-env.ts";
import type { Html } from "./layout.ts";

/** A timestamp as UTC text, machine-readable in `datetime`. */
export function when(iso: string | null | undefined): Html | string {
  if (!iso) return "—";
  return html`<time datetime="${iso}">${iso.slice(0, 19).replace("T", " ")}</time>`;
}

/** Payloads and errors are shown as a bounded preview: enough to recognise, never a whole document. */
export const PREVIEW_CHARS = 300;

export function preview(value: unknown, max = PREVIEW_CHARS): string {
  if (value === null || value === undefined) return "—";
  let text: string;
  try {
    text = typeof value === "string" ? value : (JSON.stringify(value) ?? String(value));
  } catch {
    text = String(value);
  }
  return text.length > max ? `${text.slice(0, max)}… (${text.length - max} more characters)` : text;
}

/** A link to the next page, keeping the filters; the cursor is the service's signed one. */
export function pager(path: string, params: Record<string, string | undefined>, nextCursor: string | null): Html {
  const keep = Object.entries(params).filter((entry): entry is [string, string] => entry[1] !== undefined && entry[1] !== "");
  const first = new URLSearchParams(keep).toString();
  const next = nextCursor === null ? null : new URLSearchParams([...keep, ["cursor", nextCursor]]).toString();
  return html`<p class="pager">
  <a href="${first ? `${path}?${first}` : path}">First page</a>
  ${next === null ? html`<span class="muted">No more rows</span>` : html`<a href="${path}?${next}" rel="next">Next page →</a>`}
</p>`;
}

// What a redirect after an action may say: fixed texts chosen by code, never text from the URL,
// so a crafted link cannot put words in the console's mouth.
const notices: Record<string, string> = {
  "org-created": "Org created",
  "key-revoked": "Key revoked",
  "dlq-replayed": "Dead letters sent back to their queue",
  "dlq-nothing": "Nothing to replay: the dead letter was already replayed",
  "webhook-replayed": "Webhook event queued for processing again",
};
const noticeId = /^([a-z]{2,8}_[0-9a-z]{1,64}|[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12})$/;

/** The notice a redirect asked for (`?done=<code>&id=<id>`), if any. */
export function noticeOf(c: AdminContext): Html | string {
  const text = notices[c.req.query("done") ?? ""];
  if (!text) return "";
  const id = c.req.query("id");
  return html`<p class="notice" role="status">${text}${id && noticeId.test(id) ? html`: <code>${id}</code>` : ""}.</p>`;
}

/** Where an action redirects to: a console path with its notice. */
export function doneUrl(path: string, code: keyof typeof notices | string, id?: string, params: Record<string, string> = {}): string {
  const query = new URLSearchParams({ ...params, done: code, ...(id ? { id } : {}) });
  return `${path}?${query}`;
}

/** A form field's value as one trimmed string ("" when absent). */
export function field(form: Record<string, unknown>, name: string): string {
  const value = form[name];
  const one = Array.isArray(value) ? value[0] : value;
  return typeof one === "string" ? one.trim() : "";
}

/** A form field's values (checkboxes sharing a name). */
export function fields(form: Record<string, unknown>, name: string): string[] {
  const value = form[name];
  return (Array.isArray(value) ? value : [value]).filter((item): item is string => typeof item === "string");
}
