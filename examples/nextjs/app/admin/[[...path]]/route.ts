// The admin console (/admin), served by Backplane.
import { backplane } from "../../../lib/backplane";

export const runtime = "nodejs";
export const dynamic = "force-dynamic";

export const { GET, HEAD, POST } = backplane;
