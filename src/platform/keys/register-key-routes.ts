import type { AppRouter } from "../http/app-env.ts";
import { registerCreateKey } from "./routes/create-key.ts";
import { registerListKeys } from "./routes/list-keys.ts";
import { registerRevokeKey } from "./routes/revoke-key.ts";
import { registerRotateKey } from "./routes/rotate-key.ts";
import { registerUpdateKey } from "./routes/update-key.ts";

/** Key management over HTTP, scope `keys:manage`; the CLI offers the same operations. */
export function registerKeyRoutes(app: AppRouter, knownScopes: readonly string[]): void {
  registerCreateKey(app, knownScopes);
  registerListKeys(app);
  registerRevokeKey(app);
  registerRotateKey(app);
  registerUpdateKey(app);
}
