import { html } from "hono/html";
import type { HtmlEscapedString } from "hono/utils/html";
import type { ContentfulStatusCode } from "hono/utils/http-status";
import { type AdminContext, adminOf } from "./admin-env.ts";
import { csrfTokenFor } from "./admin-sessions.ts";
import { faviconUrl, scriptUrl, stylesheetUrl } from "./assets.ts";
import { adminPageHeaders } from "./content-policy.ts";

/** What a page body is: `html\`…\`` from hono/html, which escapes every interpolated value. */
export type Html = HtmlEscapedString | Promise<HtmlEscapedString>;

const documentOf = (title: string, header: Html | string, body: Html) => html`<!doctype html>
<html lang="en">
<head>
  <meta charset="utf-8">
  <meta name="viewport" content="width=device-width, initial-scale=1">
  <meta name="referrer" content="no-referrer">
  <title>${title} · Backplane admin</title>
  <link rel="stylesheet" href="${stylesheetUrl}">
  <link rel="icon" href="${faviconUrl}" type="image/svg+xml">
  <script src="${scriptUrl}" defer></script>
</head>
<body>
${header}
<main>
${body}
</main>
</body>
</html>`;

/** The hidden field every form of a signed-in page carries; checked on every POST. */
export function csrfField(c: AdminContext): Html {
  return html`<input type="hidden" name="_csrf" value="${csrfTokenFor(c.get("services").config.BACKPLANE_SECRET, adminOf(c).id)}">`;
}

/** A signed-in page: navigation (the platform's pages and the modules'), sign-out, then `body`. */
export function renderAdminPage(c: AdminContext, page: { title: string; section: string; body: Html; status?: ContentfulStatusCode }) {
  const session = adminOf(c);
  const header = html`<header>
  <span class="brand">Backplane admin</span>
  <nav aria-label="Sections">
    ${c
      .get("adminNav")
      .map(
        (entry) => html`<a href="/admin/${entry.path}"${entry.path === page.section ? html` aria-current="page"` : ""}>${entry.title}</a>`,
      )}
  </nav>
  <span class="who">signed in with <code>${session.keyId}</code></span>
  <form method="post" action="/admin/sign-out">${csrfField(c)}<button type="submit" class="secondary">Sign out</button></form>
</header>`;
  return c.html(documentOf(page.title, header, page.body), page.status ?? 200, adminPageHeaders);
}

/** A page outside a session (sign-in, errors before sign-in): no navigation. */
export function renderBarePage(c: AdminContext, page: { title: string; body: Html; status?: ContentfulStatusCode }) {
  return c.html(documentOf(page.title, "", page.body), page.status ?? 200, adminPageHeaders);
}
