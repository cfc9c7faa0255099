import { randomBytes } from "node:crypto";

// Lowercase letters and digits only: ids stay readable, case-insensitive and URL-safe.
const alphabet = "0123456789abcdefghijklmnopqrstuvwxyz";
const ID_LENGTH = 20; // 36^20 ≈ 2^103: collisions are not a concern

/** A prefix a module declares in `idPrefixes` (2–8 lowercase letters): `org`, `key`, `ses`, … */
export type IdPrefix = string;

/** A readable, prefixed id such as `org_3k9x…`; the prefix says what it names. */
export function newId(prefix: IdPrefix): string {
  return `${prefix}_${randomChars(ID_LENGTH, alphabet)}`;
}

/** Uniform characters from `chars` (rejection sampling, so no modulo bias). */
export function randomChars(length: number, chars: string): string {
  const limit = 256 - (256 % chars.length);
  let out = "";
  while (out.length < length) {
    for (const byte of randomBytes(length * 2)) {
      if (byte < limit) out += chars[byte % chars.length];
      if (out.length === length) break;
    }
  }
  return out;
}

/** The shape of an id with `prefix`, for request validation. */
export function idPattern(prefix: IdPrefix): RegExp {
  return new RegExp(`^${prefix}_[0-9a-z]{1,64}$`);
}
