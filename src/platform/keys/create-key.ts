import { type AuditSource, recordAuditEvent } from "../audit/record-audit-event.ts";
import { displayPrefixOf, generateApiKey, type KeyEnvironment } from "../auth/api-key-format.ts";
import { keyDigester } from "../auth/key-digest.ts";
import { unknownScopes } from "../auth/scopes.ts";
import type { Sql } from "../db/database.ts";
import { AppError } from "../http/errors.ts";
import { newId } from "../ids.ts";
import { findOrg } from "../orgs/create-org.ts";
import { type Grantor, limitGrant, lockGrantor } from "./delegation.ts";
import { type CreatedKey, type KeyRow, keyColumns, toKeyInfo } from "./key-record.ts";

export interface CreateKeyInput {
  secret: string;
  name: string;
  /** null: platform-wide. */
  orgId: string | null;
  scopes: readonly string[];
  /** The scope catalog (`catalogOf(modules).scopeNames`): a scope outside it is refused. The HTTP route and the CLI pass it. */
  knownScopes?: readonly string[];
  expiresAt?: Date | null;
  environment?: KeyEnvironment;
  createdBy: string;
  /** Only for keys derived from a secret (the demo key); normally generated here. */
  key?: string;
  /**
   * A fixed id (the demo key): creating it again keeps the row (and its revoked state) and
   * only refreshes the digest, in case BACKPLANE_SECRET changed since.
   */
  id?: string;
  /** The key creating this one over HTTP (its limits apply, and it becomes the parent); none for the CLI and seed. */
  grantor?: Grantor | null;
  /** Rotation: the successor keeps its predecessor's parent instead of the rotating key. Default: the grantor. */
  parentKeyId?: string | null;
  /** Its own request limit (burst defaults to perSecond); omitted or null: the deployment default. */
  rateLimit?: { perSecond: number; burst?: number } | null;
  /** Rotation shortens an expiry beyond the grantor's; creation refuses it. */
  expiryBeyondGrantor?: "refuse" | "clamp";
  /** KEYS_MAX_PER_ORG: an org already holding this many live keys gets no more (409 key_limit_reached). */
  maxKeysPerOrg?: number;
  /** Who creates it: a `key.created` audit row is written in `db`'s transaction. Every route and CLI path passes it. */
  audit?: AuditSource;
}

/**
 * Live keys (not revoked, not expired) an org may hold. The org row is locked until the caller's
 * transaction ends, so concurrent creations in one org are counted one after the other.
 */
async function checkKeyLimit(db: Sql, orgId: string, max: number): Promise<void> {
  const [org] = await db.query<{ live: number }>(
    `SELECT (SELECT count(*)::int FROM backplane.api_keys
             WHERE org_id = o.id AND revoked_at IS NULL AND (expires_at IS NULL OR expires_at > now())) AS live
     FROM backplane.orgs o WHERE o.id = $1 FOR UPDATE OF o`,
    [orgId],
  );
  if (!org) throw new AppError("not_found", `No org ${orgId}`);
  if (org.live >= max) {
    throw new AppError(
      "key_limit_reached",
      `Org ${orgId} already has ${org.live} live API keys (the limit is ${max}); revoke unused keys first`,
      {
        details: { limit: max, live: org.live },
      },
    );
  }
}

/**
 * Creates a key and returns it with its secret, the only time the secret is available. The one
 * place keys are made (HTTP, CLI, rotation, seed). Run it in a transaction when a grantor is
 * given, so the grantor stays locked until the key is committed.
 */
export async function createKey(db: Sql, input: CreateKeyInput): Promise<CreatedKey> {
  const name = input.name.trim();
  if (name.length === 0 || name.length > 200) throw new AppError("validation_failed", "name must be 1–200 characters");
  const scopes = [...new Set(input.scopes)];
  if (scopes.length === 0) throw new AppError("validation_failed", "a key needs at least one scope");
  const unknown = input.knownScopes ? unknownScopes(scopes, input.knownScopes) : [];
  if (unknown.length > 0)
    throw new AppError("validation_failed", `unknown scope ${unknown.join(", ")}`, { details: { unknownScopes: unknown } });
  let expiresAt = input.expiresAt ?? null;
  if (input.grantor) {
    const limits = await lockGrantor(db, input.grantor);
    if (input.grantor.limited) expiresAt = limitGrant(limits, scopes, expiresAt, input.expiryBeyondGrantor ?? "refuse");
  }
  // By the database clock, the one the verifier judges expiry by.
  if (expiresAt && (await db.query<{ past: boolean }>("SELECT $1::timestamptz <= now() AS past", [expiresAt]))[0]?.past)
    throw new AppError("validation_failed", "expiresAt must be in the future");
  if (input.orgId !== null) {
    if (input.maxKeysPerOrg === undefined) {
      if (!(await findOrg(db, input.orgId))) throw new AppError("not_found", `No org ${input.orgId}`);
    } else await checkKeyLimit(db, input.orgId, input.maxKeysPerOrg);
  }

  const environment = input.environment ?? "live";
  const key = input.key ?? generateApiKey(environment);
  const rows = await db.query<KeyRow>(
    `INSERT INTO backplane.api_keys (id, org_id, name, digest, prefix, environment, scopes, expires_at, created_by, parent_key_id,
       rate_limit_per_second, rate_limit_burst)
     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12)
     ${input.id ? "ON CONFLICT (id) DO UPDATE SET digest = EXCLUDED.digest, prefix = EXCLUDED.prefix" : ""}
     RETURNING ${keyColumns}`,
    [
      input.id ?? newId("key"),
      input.orgId,
      name,
      keyDigester(input.secret)(key),
      displayPrefixOf(key),
      environment,
      scopes,
      expiresAt,
      input.createdBy,
      input.parentKeyId !== undefined ? input.parentKeyId : (input.grantor?.keyId ?? null),
      input.rateLimit?.perSecond ?? null,
      input.rateLimit ? (input.rateLimit.burst ?? input.rateLimit.perSecond) : null,
    ],
  );
  const created = { ...toKeyInfo(rows[0] as KeyRow), key };
  if (input.audit) {
    await recordAuditEvent(db, {
      ...input.audit,
      orgId: created.orgId,
      action: "key.created",
      target: { type: "api_key", id: created.id },
      metadata: {
        name: created.name,
        scopes: created.scopes,
        environment: created.environment,
        expiresAt: created.expiresAt,
        parentKeyId: created.parentKeyId,
      },
    });
  }
  return created;
}
