import { createHash, timingSafeEqual } from "node:crypto";

/**
 * Matches a presented key against static keys from the environment (e.g. BIOMECH_API_KEYS).
 * Both sides are SHA-256 digests, so every comparison is over 32 bytes whatever the key
 * lengths, and every configured key is compared (no early exit): timing reveals neither
 * which key matched nor how long the keys are.
 */
export function envKeyMatcher(keys: readonly string[]): (presented: string) => boolean {
  const digests = keys.map((key) => createHash("sha256").update(key).digest());
  return (presented) => {
    if (digests.length === 0) return false;
    const candidate = createHash("sha256").update(presented).digest();
    let matched = false;
    for (const digest of digests) matched = timingSafeEqual(candidate, digest) || matched;
    return matched;
  };
}
