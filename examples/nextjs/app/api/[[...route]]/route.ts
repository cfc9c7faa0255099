// Every /api/* request goes to Backplane (health, keys, biomech, insights, tRPC, the API docs…).
import { backplane } from "../../../lib/backplane";

// Route segment config must be literal in each route file (Next reads it at build time).
export const runtime = "nodejs";
export const dynamic = "force-dynamic";

export const { GET, HEAD, POST, PUT, PATCH, DELETE, OPTIONS } = backplane;
