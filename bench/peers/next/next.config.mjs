import path from "node:path";
import { fileURLToPath } from "node:url";

// The app imports `pg` and `zod` from the repository's own node_modules (the same driver and
// version Backplane uses), so the build's root is the repository, three folders up.
const repositoryRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../../..");

/** @type {import('next').NextConfig} */
export default {
  turbopack: { root: repositoryRoot },
  outputFileTracingRoot: repositoryRoot,
  serverExternalPackages: ["pg"],
  poweredByHeader: true,
  typescript: { ignoreBuildErrors: true },
};
