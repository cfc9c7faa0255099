import { createHmac } from "node:crypto";
import { subkey } from "../auth/key-digest.ts";

/**
 * The stand-in for an erased user in the audit row of the erasure: a keyed digest of the user id,
 * so the row cannot be tied to the person without BACKPLANE_SECRET and the id, yet an operator
 * holding both (a regulator's query about a known id) can still find it.
 */
export function pseudonymOf(secret: string, userId: string): string {
  return `anon_${createHmac("sha256", subkey(secret, "privacy-pseudonym")).update(userId).digest("hex").slice(0, 32)}`;
}
