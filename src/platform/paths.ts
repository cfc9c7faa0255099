import { fileURLToPath } from "node:url";

/** The package root, the same from src/ (checkout) and dist/ (build). */
export const packageRoot = fileURLToPath(new URL("../../", import.meta.url));
export const migrationsRoot = fileURLToPath(new URL("../../migrations/", import.meta.url));
