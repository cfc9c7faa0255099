import { realpathSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";

// This example links the repository (`"backplane": "file:../.."`), so Backplane's files and its
// dependencies sit outside this folder and the build's root must hold them: the repository, or,
// in a git worktree whose node_modules links to another checkout, the folder holding both.
// An app that installs backplane as a package drops `root` and uses "./node_modules/backplane/…"
// in outputFileTracingIncludes (docs/nextjs.md).
const repository = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../..");
const dependencies = path.dirname(realpathSync(path.join(repository, "node_modules")));
let root = repository;
while (!`${dependencies}${path.sep}`.startsWith(`${root}${path.sep}`)) root = path.dirname(root);

/** @type {import('next').NextConfig} */
export default {
  // Node loads an installed backplane as it ships instead of it being bundled. (A linked folder,
  // like this example's, is bundled regardless: Next bundles whatever resolves outside node_modules.)
  serverExternalPackages: ["backplane"],
  // Files Backplane reads from disk at run time, which file tracing cannot see: its migrations
  // (checked against the database at a cold start) and the API docs page's assets.
  outputFileTracingIncludes: {
    "/**": [
      "../../migrations/**/*.sql",
      "../../node_modules/swagger-ui-dist/{package.json,swagger-ui.css,swagger-ui-bundle.js,favicon-32x32.png}",
    ],
  },
  // Backplane sets its own security headers and request id; no framework banner.
  poweredByHeader: false,
  // Paths reach Backplane as sent (it answers a trailing slash itself) instead of Next's 308.
  skipTrailingSlashRedirect: true,
  turbopack: { root },
  outputFileTracingRoot: root,
};
