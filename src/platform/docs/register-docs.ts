import { readFile } from "node:fs/promises";
import { findPackageJSON } from "node:module";
import path from "node:path";
import type { AppRouter } from "../http/app-env.ts";
import { AppError } from "../http/errors.ts";
import { docsGuard, signIn } from "./docs-access.ts";

// Served from the swagger-ui-dist package so the docs page needs no internet. Only its folder
// is resolved: importing the package would load its 1.5 MB bundle into the server's memory. Found
// on first use with findPackageJSON, which a bundler (Turbopack, when a Next.js app links
// Backplane's folder) leaves alone; it rewrites `require.resolve` into a module number.
let assetDir: string | undefined;
const assetDirectory = () => {
  assetDir ??= path.dirname(findPackageJSON("swagger-ui-dist", import.meta.url) as string);
  return assetDir;
};
// A Map, not an object literal: a lookup of `constructor` or `__proto__` must find nothing.
const assets = new Map<string, string>([
  ["swagger-ui.css", "text/css; charset=utf-8"],
  ["swagger-ui-bundle.js", "text/javascript; charset=utf-8"],
  ["favicon-32x32.png", "image/png"],
]);

const page = `<!doctype html>
<html lang="en">
<head>
  <meta charset="utf-8">
  <meta name="viewport" content="width=device-width, initial-scale=1">
  <title>Backplane API</title>
  <link rel="stylesheet" href="/api/docs/assets/swagger-ui.css">
  <link rel="icon" href="/api/docs/assets/favicon-32x32.png">
</head>
<body>
  <div id="docs"></div>
  <script src="/api/docs/assets/swagger-ui-bundle.js"></script>
  <script src="/api/docs/assets/init.js"></script>
</body>
</html>`;

/**
 * The docs page's policy: its own scripts, styles, images and API only, nothing inline, no
 * eval, no plugins, no framing. Swagger UI's CSS embeds its icons as data: URIs.
 */
export const docsContentSecurityPolicy = [
  "default-src 'none'",
  "script-src 'self'",
  "style-src 'self'",
  "img-src 'self' data:",
  "font-src 'self'",
  "connect-src 'self'",
  "base-uri 'none'",
  "form-action 'none'",
  "frame-ancestors 'none'",
].join("; ");
const csp = { "content-security-policy": docsContentSecurityPolicy };

// A file, not an inline script, so the policy needs no 'unsafe-inline'. No persistAuthorization:
// it would keep the key typed into "Authorize" in localStorage, readable by any script on this
// origin and left behind on a shared machine.
const init = `window.ui = SwaggerUIBundle({ url: "/api/openapi.json", dom_id: "#docs", deepLinking: true, validatorUrl: null });`;

export function registerDocs(app: AppRouter): void {
  // Registered first, so the guard runs before the document is served (DOCS_REQUIRE_KEY).
  app.use("/api/openapi.json", docsGuard("document"));
  app.doc31("/api/openapi.json", {
    openapi: "3.1.0",
    info: {
      title: "Backplane API",
      version: "0.1.0",
      description: "Every 4xx/5xx response uses the `Error` envelope. Send `x-request-id` to correlate logs.",
      license: { name: "MIT", url: "https://opensource.org/licenses/MIT" },
    },
    // Relative: the API is wherever this document is served from (and "Try it out" calls it there).
    servers: [{ url: "/", description: "This Backplane server" }],
  });
  app.openAPIRegistry.registerComponent("securitySchemes", "ApiKey", { type: "apiKey", in: "header", name: "X-API-Key" });

  app.get("/api/docs", docsGuard("page"), (c) => c.html(page, 200, csp));
  app.post("/api/docs/session", signIn);
  app.get("/api/docs/assets/init.js", (c) => c.body(init, 200, { "content-type": "text/javascript; charset=utf-8", ...csp }));
  app.get("/api/docs/assets/:file", async (c) => {
    const file = c.req.param("file");
    const type = assets.get(file);
    if (!type) throw new AppError("not_found", `No docs asset ${file}`);
    const body = await readFile(path.join(assetDirectory(), file));
    return c.body(body, 200, { "content-type": type, "cache-control": "public, max-age=86400" });
  });
}
