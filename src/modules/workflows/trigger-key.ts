import { createHmac } from "node:crypto";
import { subkey } from "../../platform/auth/key-digest.ts";
import { randomChars } from "../../platform/ids.ts";

const base62 = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";
const KEY_CHARS = 32; // 62^32 ≈ 2^190 bits of randomness (the issue asks for at least 128)

/** A new webhook trigger key, `trg_` + 32 base62 characters. It is part of a URL, so URL-safe. */
export function generateTriggerKey(): string {
  return `trg_${randomChars(KEY_CHARS, base62)}`;
}

export const triggerKeyPrefix = (key: string) => key.slice(0, 10);

const digesters = new Map<string, (key: string) => string>();

/**
 * HMAC-SHA-256 under a key derived from BACKPLANE_SECRET (its own purpose, so a trigger digest
 * never matches an API key digest). Whatever the caller sent is digested, well formed or not, so
 * every unknown key costs the same digest and one index lookup.
 */
export function triggerKeyDigester(secret: string): (key: string) => string {
  let digest = digesters.get(secret);
  if (!digest) {
    const key = subkey(secret, "trigger-key-digest");
    digest = (value: string) => createHmac("sha256", key).update(value).digest("hex");
    digesters.set(secret, digest);
  }
  return digest;
}
