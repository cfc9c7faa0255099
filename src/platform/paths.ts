import path from "node:path";
import { fileURLToPath } from "node:url";

// From this file's path, not `new URL("../../migrations/", import.meta.url)`: a bundler (Turbopack,
// when a Next.js app links Backplane's folder) takes that form for an asset to copy, and fails on a folder.
const here = path.dirname(fileURLToPath(import.meta.url));

/** The package root, the same from src/ (checkout) and dist/ (build). */
export const packageRoot = path.resolve(here, "../..");
export const migrationsRoot = path.join(packageRoot, "migrations");
