// Prometheus metrics (GET /metrics with `Authorization: Bearer $METRICS_TOKEN`).
import { backplane } from "../../lib/backplane";

export const runtime = "nodejs";
export const dynamic = "force-dynamic";

export const { GET, HEAD } = backplane;
