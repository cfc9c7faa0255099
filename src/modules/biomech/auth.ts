import type { EnvKeys } from "../../platform/auth/require-auth.ts";
import type { Config } from "../../platform/config/config.ts";

/**
 * The seed's static keys: every key in BIOMECH_API_KEYS is valid (two during a rotation).
 * They carry `biomech:read` only and are not bound to an org: like the seed's single shared
 * secret, an env key may read every org. Use database keys for per-org access.
 */
export function biomechEnvKeys(config: Config): EnvKeys {
  return { variable: "BIOMECH_API_KEYS", keys: config.BIOMECH_API_KEYS, scopes: ["biomech:read"] };
}
