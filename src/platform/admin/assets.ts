import { createHash } from "node:crypto";
import type { AdminContext, AdminRouter } from "./admin-env.ts";
import { adminContentSecurityPolicy } from "./content-policy.ts";

/**
 * The console's only script and stylesheet, served by Backplane from these strings (no build
 * step, no CDN, nothing inline), so the pages' policy is script-src 'self' / style-src 'self'.
 * The script is an enhancement: every page works without it (forms post, links navigate).
 */
const script = `"use strict";
// A form with data-confirm asks before it is sent (revoke, rotate, replay, sign out).
document.addEventListener("submit", function (event) {
  var form = event.target;
  var message = form instanceof HTMLFormElement ? form.getAttribute("data-confirm") : null;
  if (message && !window.confirm(message)) event.preventDefault();
});
// A button with data-copy copies the text of the element it names (the new key, shown once).
document.addEventListener("click", function (event) {
  var button = event.target instanceof Element ? event.target.closest("[data-copy]") : null;
  if (!button) return;
  var source = document.getElementById(button.getAttribute("data-copy"));
  if (!source || !navigator.clipboard) return;
  navigator.clipboard.writeText(source.textContent.trim()).then(
    function () { button.textContent = "Copied"; },
    function () { button.textContent = "Copy failed: select the key and copy it"; }
  );
});
`;

const stylesheet = `:root { color-scheme: light; --fg: #1d2430; --muted: #5b6575; --line: #d9dee7; --bg: #f6f7f9; --accent: #2457c5; --bad: #b42318; --ok: #067647; }
* { box-sizing: border-box; }
body { margin: 0; font: 14px/1.45 system-ui, -apple-system, "Segoe UI", Roboto, sans-serif; color: var(--fg); background: var(--bg); }
header { display: flex; align-items: center; gap: 1.5rem; padding: 0.6rem 1.5rem; background: #111a2c; color: #fff; }
header .brand { font-weight: 700; letter-spacing: 0.02em; }
header nav { display: flex; gap: 0.25rem; flex: 1; flex-wrap: wrap; }
header nav a { color: #c9d3e6; text-decoration: none; padding: 0.3rem 0.6rem; border-radius: 4px; }
header nav a[aria-current="page"], header nav a:hover { background: #24314d; color: #fff; }
header form { margin: 0; }
header .who { color: #9aa6bd; font-size: 12px; }
main { max-width: 1400px; margin: 1.5rem auto; padding: 0 1.5rem; }
time { white-space: nowrap; }
h1 { font-size: 1.4rem; margin: 0 0 1rem; }
h2 { font-size: 1.1rem; margin: 1.5rem 0 0.5rem; }
section.card { background: #fff; border: 1px solid var(--line); border-radius: 6px; padding: 1rem 1.25rem; margin-bottom: 1rem; }
section.card > h2:first-child, section.card > h1:first-child { margin-top: 0; }
table { width: 100%; border-collapse: collapse; background: #fff; border: 1px solid var(--line); }
th, td { text-align: left; padding: 0.45rem 0.6rem; border-bottom: 1px solid var(--line); vertical-align: top; overflow-wrap: anywhere; }
th { overflow-wrap: normal; background: #eef1f5; font-weight: 600; font-size: 12px; text-transform: uppercase; letter-spacing: 0.03em; color: var(--muted); }
td.num, th.num { text-align: right; font-variant-numeric: tabular-nums; }
code, .mono, pre { font-family: ui-monospace, SFMono-Regular, Menlo, Consolas, monospace; font-size: 12px; }
pre.preview { margin: 0; white-space: pre-wrap; word-break: break-all; max-width: 40rem; }
.muted { color: var(--muted); }
.status { display: inline-block; padding: 0 0.45rem; border-radius: 999px; font-size: 12px; border: 1px solid var(--line); }
.status.bad { color: var(--bad); border-color: #f3b8b2; background: #fef3f2; }
.status.ok { color: var(--ok); border-color: #a6e3c3; background: #ecfdf3; }
form.inline { display: inline; margin: 0; }
td form.inline { display: flex; flex-wrap: wrap; gap: 0.3rem; align-items: center; margin-bottom: 0.35rem; }
form.inline label { display: inline-flex; align-items: center; gap: 0.25rem; font-size: 12px; color: var(--muted); }
table.facts { width: auto; min-width: 32rem; }
table.facts th { width: 8rem; }
form.stack { display: grid; gap: 0.6rem; max-width: 36rem; }
form.filters { display: flex; flex-wrap: wrap; gap: 0.5rem; align-items: end; margin-bottom: 1rem; }
label { display: grid; gap: 0.2rem; font-size: 12px; color: var(--muted); }
fieldset { border: 1px solid var(--line); border-radius: 4px; }
fieldset label { display: flex; gap: 0.4rem; align-items: baseline; color: var(--fg); font-size: 13px; }
input, select, button { font: inherit; padding: 0.35rem 0.5rem; border: 1px solid #b8c0cc; border-radius: 4px; background: #fff; color: var(--fg); }
button { white-space: nowrap; cursor: pointer; background: var(--accent); color: #fff; border-color: var(--accent); }
button.secondary { background: #fff; color: var(--accent); }
button.danger { background: #fff; color: var(--bad); border-color: #f3b8b2; }
.notice { padding: 0.6rem 0.9rem; border-radius: 4px; margin-bottom: 1rem; background: #ecfdf3; border: 1px solid #a6e3c3; }
.notice.error { background: #fef3f2; border-color: #f3b8b2; }
.secret { display: block; padding: 0.75rem; margin: 0.5rem 0; background: #fffbea; border: 1px dashed #d4a72c; font-size: 14px; word-break: break-all; user-select: all; }
.pager { display: flex; gap: 1rem; margin: 0.75rem 0; }
.signin { max-width: 28rem; margin: 10vh auto; }
`;

// The browser asks for an icon on every page; one served here keeps the console from a 404.
const favicon = `<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 16 16"><rect width="16" height="16" rx="3" fill="#111a2c"/><path d="M4 4h5a3 3 0 0 1 0 6H6v2H4z" fill="#fff"/></svg>`;

const version = (text: string) => createHash("sha256").update(text).digest("hex").slice(0, 12);
/** Asset URLs carry a hash of their content, so a new release is never served a stale copy. */
export const scriptUrl = `/admin/assets/admin.js?v=${version(script)}`;
export const stylesheetUrl = `/admin/assets/admin.css?v=${version(stylesheet)}`;
export const faviconUrl = `/admin/assets/favicon.svg?v=${version(favicon)}`;

export function registerAdminAssets(router: AdminRouter): void {
  const serve = (body: string, type: string) => (c: AdminContext) =>
    c.body(body, 200, {
      "content-type": type,
      "cache-control": "public, max-age=86400",
      "content-security-policy": adminContentSecurityPolicy,
    });
  router.get("/assets/admin.js", serve(script, "text/javascript; charset=utf-8"));
  router.get("/assets/admin.css", serve(stylesheet, "text/css; charset=utf-8"));
  router.get("/assets/favicon.svg", serve(favicon, "image/svg+xml"));
}
