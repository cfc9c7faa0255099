import { createCipheriv, createDecipheriv, type KeyObject, randomBytes } from "node:crypto";
import { subkey } from "../auth/key-digest.ts";

// Stored answers can hold secrets shown once (POST /api/v1/keys returns the new key), so they are
// sealed with AES-256-GCM under a key derived from BACKPLANE_SECRET: a copy of the table alone
// reveals nothing. The associated data binds a sealed body to its (scope, method, route, key).
// Other stored secrets (an integration's API token) use the same sealing under their own
// `purpose`, so each kind of secret has its own derived key.
const keys = new Map<string, KeyObject>();
const keyFor = (secret: string, purpose: string) => {
  const name = `${purpose}\u0000${secret}`;
  let key = keys.get(name);
  if (!key) {
    key = subkey(secret, purpose);
    keys.set(name, key);
  }
  return key;
};

export function seal(secret: string, plain: Uint8Array, boundTo: string, purpose = "idempotency-seal"): Buffer {
  const iv = randomBytes(12);
  const cipher = createCipheriv("aes-256-gcm", keyFor(secret, purpose), iv);
  cipher.setAAD(Buffer.from(boundTo));
  const body = Buffer.concat([cipher.update(plain), cipher.final()]);
  return Buffer.concat([iv, body, cipher.getAuthTag()]);
}

/** The plain bytes; throws when the secret changed or the row was tampered with. */
export function unseal(secret: string, sealed: Uint8Array, boundTo: string, purpose = "idempotency-seal"): Buffer {
  const data = Buffer.from(sealed.buffer, sealed.byteOffset, sealed.byteLength);
  const decipher = createDecipheriv("aes-256-gcm", keyFor(secret, purpose), data.subarray(0, 12));
  decipher.setAAD(Buffer.from(boundTo));
  decipher.setAuthTag(data.subarray(data.length - 16));
  return Buffer.concat([decipher.update(data.subarray(12, data.length - 16)), decipher.final()]);
}
