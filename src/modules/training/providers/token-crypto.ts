import { createCipheriv, createDecipheriv, createHash, type KeyObject, randomBytes } from "node:crypto";
import { subkey } from "../../../platform/auth/key-digest.ts";

/**
 * Provider OAuth tokens at rest: AES-256-GCM under a key derived from BACKPLANE_SECRET (the
 * platform's `subkey`, as the idempotency seal and sign-in codes use), bound to the connection
 * and the token's role by the associated data, so a sealed value copied to another row does not
 * open. Each value names its key (`v1.<kid>.<sealed>`): after BACKPLANE_SECRET changes, values
 * sealed under an earlier secret listed in PROVIDER_TOKEN_PREVIOUS_SECRETS still open, and the
 * re-seal job moves them to the current key.
 */

const PURPOSE = "training-provider-token";

interface RingKey {
  id: string;
  key: KeyObject;
}

export interface TokenKeyRing {
  /** The key new values are sealed under. */
  readonly currentId: string;
  seal(plain: string, boundTo: string): string;
  /** Throws when no key of the ring made it, or it was altered or moved. */
  open(sealed: string, boundTo: string): string;
  /** The key id a sealed value names (to find values still under an earlier key). */
  keyIdOf(sealed: string): string | null;
}

function ringKey(secret: string): RingKey {
  const key = subkey(secret, PURPOSE);
  // Not secret: 8 bytes of a hash of the key, enough to pick the right one of a few.
  const id = createHash("sha256").update(key.export()).digest("hex").slice(0, 16);
  return { id, key };
}

const rings = new Map<string, TokenKeyRing>();

export function tokenKeyRing(current: string, previous: readonly string[] = []): TokenKeyRing {
  const cacheKey = JSON.stringify([current, previous]);
  const cached = rings.get(cacheKey);
  if (cached) return cached;
  const head = ringKey(current);
  const byId = new Map<string, RingKey>([[head.id, head]]);
  for (const secret of previous) {
    const older = ringKey(secret);
    if (!byId.has(older.id)) byId.set(older.id, older);
  }
  const ring: TokenKeyRing = {
    currentId: head.id,
    seal(plain, boundTo) {
      const iv = randomBytes(12);
      const cipher = createCipheriv("aes-256-gcm", head.key, iv);
      cipher.setAAD(Buffer.from(`${head.id}:${boundTo}`));
      const body = Buffer.concat([cipher.update(plain, "utf8"), cipher.final()]);
      return `v1.${head.id}.${Buffer.concat([iv, cipher.getAuthTag(), body]).toString("base64url")}`;
    },
    open(sealed, boundTo) {
      const [version, id, data] = sealed.split(".");
      const entry = id ? byId.get(id) : undefined;
      if (version !== "v1" || !entry || !data) throw new Error("provider token sealed under an unknown key");
      const raw = Buffer.from(data, "base64url");
      const decipher = createDecipheriv("aes-256-gcm", entry.key, raw.subarray(0, 12));
      decipher.setAAD(Buffer.from(`${entry.id}:${boundTo}`));
      decipher.setAuthTag(raw.subarray(12, 28));
      return Buffer.concat([decipher.update(raw.subarray(28)), decipher.final()]).toString("utf8");
    },
    keyIdOf(sealed) {
      const [version, id] = sealed.split(".");
      return version === "v1" && id ? id : null;
    },
  };
  rings.set(cacheKey, ring);
  return ring;
}
