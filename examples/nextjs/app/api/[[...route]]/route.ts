// Every /api/* request goes to Backplane: the same app `backplane serve` runs, with one small
// PostgreSQL pool per function instance. Jobs its routes enqueue are run by a `backplane worker`
// deployed elsewhere (README.md).
import { createRouteHandlers } from "backplane/next";

// Route segment config must be literal in this file (Next reads it at build time).
export const runtime = "nodejs";
export const dynamic = "force-dynamic";

export const { GET, HEAD, POST, PUT, PATCH, DELETE, OPTIONS } = createRouteHandlers();
