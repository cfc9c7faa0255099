import { createCipheriv, createDecipheriv, type KeyObject, randomBytes } from "node:crypto";
import { subkey } from "../auth/key-digest.ts";

// Stored answers can hold secrets shown once (POST /api/v1/keys returns the new key), so they are
// sealed with AES-256-GCM under a key derived from BACKPLANE_SECRET: a copy of the table alone
// reveals nothing. The associated data binds a sealed body to its (scope, method, route, key).
const keys = new Map<string, KeyObject>();
const keyFor = (secret: string) => {
  let key = keys.get(secret);
  if (!key) {
    key = subkey(secret, "idempotency-seal");
    keys.set(secret, key);
  }
  return key;
};

export function seal(secret: string, plain: Uint8Array, boundTo: string): Buffer {
  const iv = randomBytes(12);
  const cipher = createCipheriv("aes-256-gcm", keyFor(secret), iv);
  cipher.setAAD(Buffer.from(boundTo));
  const body = Buffer.concat([cipher.update(plain), cipher.final()]);
  return Buffer.concat([iv, body, cipher.getAuthTag()]);
}

/** The plain bytes; throws when the secret changed or the row was tampered with. */
export function unseal(secret: string, sealed: Uint8Array, boundTo: string): Buffer {
  const data = Buffer.from(sealed.buffer, sealed.byteOffset, sealed.byteLength);
  const decipher = createDecipheriv("aes-256-gcm", keyFor(secret), data.subarray(0, 12));
  decipher.setAAD(Buffer.from(boundTo));
  decipher.setAuthTag(data.subarray(data.length - 16));
  return Buffer.concat([decipher.update(data.subarray(12, data.length - 16)), decipher.final()]);
}
