import { auditPrivacy } from "./audit/audit-privacy.ts";
import { identityPrivacy } from "./identity/identity-privacy.ts";
import { queuedJobsPrivacy } from "./jobs/queued-jobs-privacy.ts";
import type { ModuleDeclarations } from "./module.ts";
import { composePrivacy } from "./privacy/compose-privacy.ts";
import { platformCleanups } from "./privacy/platform-cleanups.ts";
import { privacyRequestsPrivacy } from "./privacy/privacy-requests-privacy.ts";

/**
 * The platform's own tables, scopes and id prefixes, declared exactly as a module declares
 * its own (schema `backplane`, migrations under migrations/platform/).
 */
export const platformDeclarations: ModuleDeclarations = {
  name: "backplane",
  tables: [
    {
      name: "backplane.orgs",
      class: "org",
      tenantColumn: "id",
      columns: { id: "text", name: "text", slug: "text", created_at: "timestamp with time zone" },
    },
    {
      name: "backplane.api_keys",
      class: "org",
      columns: {
        id: "text",
        org_id: "text",
        name: "text",
        digest: "text",
        prefix: "text",
        environment: "text",
        scopes: "text[]",
        expires_at: "timestamp with time zone",
        revoked_at: "timestamp with time zone",
        created_by: "text",
        created_at: "timestamp with time zone",
        last_used_at: "timestamp with time zone",
        replaced_by: "text",
        parent_key_id: "text",
        rate_limit_per_second: "integer",
        rate_limit_burst: "integer",
      },
    },
    {
      name: "backplane.idempotency_keys",
      class: "global",
      why: "keyed by the calling principal (scope), read and written only by the idempotency middleware on the connecting role; answers sealed under BACKPLANE_SECRET",
      columns: {
        scope: "text",
        method: "text",
        route: "text",
        key: "text",
        fingerprint: "text",
        state: "text",
        expires_at: "timestamp with time zone",
      },
    },
    {
      name: "backplane.migrations",
      class: "global",
      why: "which migration files were applied: schema history, no tenant data",
      columns: { module: "text", version: "integer", name: "text", checksum: "text", applied_at: "timestamp with time zone" },
    },
    {
      name: "backplane.audit_events",
      class: "org",
      appendOnly: true,
      columns: {
        seq: "bigint",
        id: "text",
        org_id: "text",
        actor_type: "text",
        actor_id: "text",
        action: "text",
        target_type: "text",
        target_id: "text",
        request_id: "text",
        client_ip: "inet",
        occurred_at: "timestamp with time zone",
        metadata: "jsonb",
      },
    },
    {
      name: "backplane.users",
      class: "user",
      tenantColumn: "id",
      columns: { id: "text", email: "text", role: "text", created_at: "timestamp with time zone", updated_at: "timestamp with time zone" },
    },
    {
      name: "backplane.org_members",
      class: "org",
      columns: { org_id: "text", user_id: "text", role: "text", created_at: "timestamp with time zone" },
    },
    {
      name: "backplane.otp_challenges",
      class: "global",
      why: "sign-in codes (keyed digests) for an email nobody has proved yet; only the auth endpoints read them, in service context; RLS on with no policy, no grant to the app role",
      columns: {
        id: "text",
        email: "text",
        code_digest: "text",
        attempts: "integer",
        created_at: "timestamp with time zone",
        expires_at: "timestamp with time zone",
        consumed_at: "timestamp with time zone",
        voided_at: "timestamp with time zone",
      },
    },
    {
      name: "backplane.rate_limits",
      class: "global",
      why: "rate-limiter counters keyed by HMACs of an IP, email or principal; only the platform (connecting role) counts; RLS on with no policy, no grant",
      columns: { key: "character varying", points: "integer", expire: "bigint" },
    },
    {
      name: "backplane.sessions",
      class: "user",
      columns: {
        id: "text",
        user_id: "text",
        kind: "text",
        token_hash: "text",
        created_at: "timestamp with time zone",
        last_seen_at: "timestamp with time zone",
        expires_at: "timestamp with time zone",
        absolute_expires_at: "timestamp with time zone",
        revoked_at: "timestamp with time zone",
      },
    },
    {
      name: "backplane.refresh_tokens",
      class: "user",
      columns: {
        id: "text",
        session_id: "text",
        user_id: "text",
        token_hash: "text",
        created_at: "timestamp with time zone",
        expires_at: "timestamp with time zone",
        used_at: "timestamp with time zone",
      },
    },
    {
      name: "backplane.webhook_events",
      class: "org",
      columns: {
        seq: "bigint",
        id: "text",
        org_id: "text",
        source: "text",
        external_id: "text",
        content_type: "text",
        headers: "jsonb",
        body: "bytea",
        job: "text",
        status: "text",
        received_at: "timestamp with time zone",
      },
    },
    {
      name: "backplane.privacy_exports",
      class: "user",
      columns: {
        id: "text",
        user_id: "text",
        status: "text",
        requested_at: "timestamp with time zone",
        completed_at: "timestamp with time zone",
        expires_at: "timestamp with time zone",
        bundle: "bytea",
      },
    },
    {
      name: "backplane.privacy_deletions",
      class: "user",
      columns: {
        id: "text",
        user_id: "text",
        pseudonym: "text",
        status: "text",
        requested_at: "timestamp with time zone",
        counts: "jsonb",
      },
    },
    {
      name: "backplane.external_identities",
      class: "user",
      columns: {
        provider: "text",
        issuer: "text",
        subject: "text",
        user_id: "text",
        created_at: "timestamp with time zone",
        last_seen_at: "timestamp with time zone",
      },
    },
    {
      name: "backplane.cron_ticks",
      class: "global",
      why: "which scheduled tick of a platform cron ran (job, tick time, outcome counts); platform bookkeeping, RLS on with no policy, no grant",
      columns: { job: "text", tick: "timestamp with time zone", status: "text", triggered_by: "text", result: "jsonb" },
    },
    {
      name: "backplane.metric_snapshots",
      class: "global",
      why: "platform-wide figures (counts, queue depths, table sizes) per collection tick; read with a platform-wide key, RLS on with no policy, no grant",
      columns: { id: "bigint", tick: "timestamp with time zone", collected_at: "timestamp with time zone", metrics: "jsonb" },
    },
    {
      name: "backplane.admin_sessions",
      class: "global",
      why: "admin console sign-ins of platform-wide keys (the SHA-256 of the cookie token, the key's id); only the platform reads them, RLS on with no policy, no grant",
      columns: {
        id: "text",
        key_id: "text",
        token_hash: "text",
        created_at: "timestamp with time zone",
        expires_at: "timestamp with time zone",
        ended_at: "timestamp with time zone",
      },
    },
  ],
  scopes: [
    {
      name: "keys:manage",
      description: "Create, list, revoke and rotate API keys (of the key's own org, or any org for a platform-wide key)",
    },
    { name: "queue:read", description: "Queue metrics and the dead-letter listing (platform-wide keys only)" },
    { name: "queue:manage", description: "Replay dead-lettered jobs (platform-wide keys only)" },
    { name: "metrics:read", description: "Read the metrics snapshots, GET /api/metrics (platform-wide keys only)" },
    { name: "audit:read", description: "Read the audit log (the key's own org, or every org for a platform-wide key)" },
    {
      name: "admin:console",
      description: "Sign in to the admin console at /admin and do everything it offers, across every org (platform-wide keys only)",
    },
  ],
  idPrefixes: {
    org: "organization (tenant)",
    key: "API key",
    aud: "audit event",
    usr: "user",
    otp: "sign-in code",
    sess: "signed-in session",
    rtk: "refresh token",
    whe: "inbound webhook event",
    pex: "privacy export (one user's data bundle)",
    pdl: "privacy deletion (erasure of one user's data)",
    adm: "admin console session",
  },
  // Erased in this order: the user row (which everything else references) last.
  privacy: composePrivacy({ audit: auditPrivacy, jobs: queuedJobsPrivacy, privacy: privacyRequestsPrivacy, identity: identityPrivacy }),
  cleanups: platformCleanups,
};

/**
 * Schemas owned by a library rather than by a migration here: not checked for undeclared
 * tables, never tenant tables. pg-boss's tables hold every org's jobs; only workers (service
 * context) read them, and the app role may only enqueue.
 */
export const infraSchemas: Record<string, string> = {
  pgboss: "pg-boss's job queue (installed and upgraded by pg-boss itself); global",
};
