import { randomFillSync } from "node:crypto";

// Lowercase letters and digits only: ids stay readable, case-insensitive and URL-safe.
const alphabet = "0123456789abcdefghijklmnopqrstuvwxyz";
const ID_LENGTH = 20; // 36^20 ≈ 2^103: collisions are not a concern

/** A prefix a module declares in `idPrefixes` (2–8 lowercase letters): `org`, `key`, `ses`, … */
export type IdPrefix = string;

/** A readable, prefixed id such as `org_3k9x…`; the prefix says what it names. */
export function newId(prefix: IdPrefix): string {
  return `${prefix}_${randomChars(ID_LENGTH, alphabet)}`;
}

// Several ids are made per request (a trigger makes three): bytes come from one CSPRNG fill of a
// pooled buffer, each used once, instead of a fill per id (as crypto.randomUUID caches its own).
const pool = Buffer.alloc(4096);
let used = pool.length;
function randomByte(): number {
  if (used === pool.length) {
    randomFillSync(pool);
    used = 0;
  }
  return pool[used++] as number;
}

/** Uniform characters from `chars` (rejection sampling, so no modulo bias). */
export function randomChars(length: number, chars: string): string {
  const limit = 256 - (256 % chars.length);
  let out = "";
  while (out.length < length) {
    const byte = randomByte();
    if (byte < limit) out += chars[byte % chars.length];
  }
  return out;
}

/** The shape of an id with `prefix`, for request validation. */
export function idPattern(prefix: IdPrefix): RegExp {
  return new RegExp(`^${prefix}_[0-9a-z]{1,64}$`);
}
