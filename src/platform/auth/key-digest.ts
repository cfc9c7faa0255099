import { createHmac, createSecretKey, type KeyObject } from "node:crypto";

/**
 * Keys are stored as HMAC-SHA-256 under a key derived from BACKPLANE_SECRET, not bcrypt:
 * a key carries 142 bits of entropy, so a slow hash adds nothing against guessing, while a
 * fast keyed digest can be looked up by a unique index in one query. Keying it means a
 * leaked table alone cannot be used to test candidate keys offline.
 * Changing BACKPLANE_SECRET therefore invalidates every database key.
 */
export function subkey(secret: string, purpose: string): KeyObject {
  // A KeyObject made once: given raw bytes, createHmac would build one on every call.
  return createSecretKey(createHmac("sha256", secret).update(`backplane:${purpose}:v1`).digest());
}

export function keyDigester(secret: string): (key: string) => string {
  const digestKey = subkey(secret, "api-key-digest");
  return (key) => createHmac("sha256", digestKey).update(key).digest("hex");
}
