import { hash, type KeyObject } from "node:crypto";

const BLOCK_BYTES = 64;

/**
 * HMAC-SHA-256 (RFC 2104: H(K ^ opad, H(K ^ ipad, message))) as two one-shot `crypto.hash`
 * calls over pads computed once. The same bytes as `createHmac("sha256", key)`, without a native
 * Hmac object per call: on the signed keyset cursor of every paged read those objects (and the
 * garbage-collector work they leave) were the largest crypto cost in a CPU profile.
 */
export function hmacSha256(key: KeyObject): (message: string) => Buffer {
  let raw = key.export();
  if (raw.length > BLOCK_BYTES) raw = hash("sha256", raw, "buffer");
  const inner = Buffer.alloc(BLOCK_BYTES, 0x36);
  const outer = Buffer.alloc(BLOCK_BYTES, 0x5c);
  for (let i = 0; i < raw.length; i++) {
    inner[i] = (inner[i] ?? 0) ^ (raw[i] ?? 0);
    outer[i] = (outer[i] ?? 0) ^ (raw[i] ?? 0);
  }
  return (message) =>
    hash("sha256", Buffer.concat([outer, hash("sha256", Buffer.concat([inner, Buffer.from(message)]), "buffer")]), "buffer");
}
