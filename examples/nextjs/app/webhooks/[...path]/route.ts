// Provider webhooks Backplane receives outside /api (Strava's push subscription: /webhooks/strava).
import { backplane } from "../../../lib/backplane";

export const runtime = "nodejs";
export const dynamic = "force-dynamic";

export const { GET, HEAD, POST } = backplane;
