import { hash, timingSafeEqual } from "node:crypto";

/**
 * Matches a presented key against static keys from the environment (e.g. BIOMECH_API_KEYS).
 * Both sides are SHA-256 digests, so every comparison is over 32 bytes whatever the key
 * lengths, and every configured key is compared (no early exit): timing reveals neither
 * which key matched nor how long the keys are.
 */
export function envKeyMatcher(keys: readonly string[]): (presented: string) => boolean {
  // One-shot hash(): no native Hash object per request (the matcher runs on every keyed request).
  const digests = keys.map((key) => hash("sha256", key, "buffer"));
  return (presented) => {
    if (digests.length === 0) return false;
    const candidate = hash("sha256", presented, "buffer");
    let matched = false;
    for (const digest of digests) matched = timingSafeEqual(candidate, digest) || matched;
    return matched;
  };
}
