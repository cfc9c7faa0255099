import type { Sql } from "../../../platform/db/database.ts";
import { AppError } from "../../../platform/http/errors.ts";
import { validationError } from "../../../platform/http/validation-error.ts";
import { seal, unseal } from "../../../platform/idempotency/seal.ts";
import { fieldsOf, integrationDefinitions } from "../integrations/definitions.ts";

export interface Integration {
  id: string;
  name: string;
  category: string;
  description: string;
  website: string;
  apps: string[];
  eventTypes: string[];
  configFields: { name: string; secret: boolean; required: boolean }[];
  connection: { connectedAt: string; updatedAt: string; config: Record<string, unknown>; credentialFields: string[] } | null;
}

interface IntegrationRow {
  id: string;
  name: string;
  category: string;
  description: string;
  website: string;
  apps: string[];
  event_types: string[];
  connected_at: Date | string | null;
  updated_at: Date | string | null;
  config: Record<string, unknown> | string | null;
  credential_fields: string[] | null;
}

/** The purpose the sealing key is derived for (platform seal), and what each sealed value is bound to. */
const SEAL_PURPOSE = "insights-integration-credentials";
export const credentialsBinding = (userId: string, integrationId: string) => `${userId}:${integrationId}`;

const toIntegration = (row: IntegrationRow): Integration => {
  const definition = integrationDefinitions[row.id];
  return {
    id: row.id,
    name: row.name,
    category: row.category,
    description: row.description,
    website: row.website,
    apps: row.apps,
    eventTypes: row.event_types,
    configFields: definition ? fieldsOf(definition) : [],
    connection:
      row.connected_at === null
        ? null
        : {
            connectedAt: new Date(row.connected_at).toISOString(),
            updatedAt: new Date(row.updated_at ?? row.connected_at).toISOString(),
            config: typeof row.config === "string" ? JSON.parse(row.config) : (row.config ?? {}),
            credentialFields: row.credential_fields ?? [],
          },
  };
};

const selectIntegrations = `
  SELECT c.id, c.name, c.category, c.description, c.website, c.apps, c.event_types,
         k.connected_at, k.updated_at, k.config, k.credential_fields
  FROM insights.integration_catalog c
  LEFT JOIN insights.integration_connections k ON k.integration_id = c.id AND k.user_id = $1`;

/** The catalog, each entry with the user's connection (or null). */
export async function listIntegrations(tx: Sql, userId: string): Promise<Integration[]> {
  const rows = await tx.query<IntegrationRow>(`${selectIntegrations} ORDER BY c.position`, [userId]);
  return rows.map(toIntegration);
}

async function getIntegration(tx: Sql, userId: string, id: string): Promise<Integration> {
  const [row] = await tx.query<IntegrationRow>(`${selectIntegrations} WHERE c.id = $2`, [userId, id]);
  if (!row) throw new AppError("not_found", `No integration ${id}`);
  return toIntegration(row);
}

/**
 * Connects (or reconnects, replacing the settings) an integration for the user. `config` and
 * `credentials` are checked against the integration's own fields (400 naming the field); the
 * credentials are sealed under a key derived from BACKPLANE_SECRET and bound to (user,
 * integration), so a copied row cannot be opened for another user or integration. Connecting
 * settles any open suggestion for it.
 */
export async function connectIntegration(
  tx: Sql,
  secret: string,
  input: { userId: string; id: string; config: Record<string, unknown>; credentials: Record<string, unknown> },
): Promise<{ integration: Integration; reconnected: boolean }> {
  const definition = integrationDefinitions[input.id];
  const [known] = await tx.query("SELECT 1 FROM insights.integration_catalog WHERE id = $1", [input.id]);
  if (!definition || !known) throw new AppError("not_found", `No integration ${input.id}`);
  const config = definition.config.safeParse(input.config);
  if (!config.success) throw validationError(config.error, "body.config");
  const credentials = definition.credentials.safeParse(input.credentials);
  if (!credentials.success) throw validationError(credentials.error, "body.credentials");
  const fields = Object.keys(credentials.data).sort();
  const sealed =
    fields.length === 0
      ? null
      : seal(secret, Buffer.from(JSON.stringify(credentials.data)), credentialsBinding(input.userId, input.id), SEAL_PURPOSE);
  const [row] = await tx.query<{ reconnected: boolean }>(
    `INSERT INTO insights.integration_connections (user_id, integration_id, config, credentials, credential_fields)
     VALUES ($1, $2, $3::jsonb, $4, $5::text[])
     ON CONFLICT (user_id, integration_id) DO UPDATE SET config = EXCLUDED.config, credentials = EXCLUDED.credentials,
       credential_fields = EXCLUDED.credential_fields, updated_at = clock_timestamp()
     RETURNING (xmax <> 0) AS reconnected`,
    [input.userId, input.id, JSON.stringify(config.data), sealed, fields],
  );
  await tx.query("DELETE FROM insights.suggestions WHERE user_id = $1 AND integration_id = $2 AND dismissed_at IS NULL", [
    input.userId,
    input.id,
  ]);
  return { integration: await getIntegration(tx, input.userId, input.id), reconnected: row?.reconnected ?? false };
}

/** Disconnects: the settings and sealed credentials are deleted. 404 when not connected. */
export async function disconnectIntegration(tx: Sql, userId: string, id: string): Promise<void> {
  const rows = await tx.query("DELETE FROM insights.integration_connections WHERE user_id = $1 AND integration_id = $2 RETURNING 1", [
    userId,
    id,
  ]);
  if (rows.length === 0) throw new AppError("not_found", `Integration ${id} is not connected`);
}

/** The credentials as connected (for the code that calls the product's API; never for a response). */
export async function openCredentials(tx: Sql, secret: string, userId: string, id: string): Promise<Record<string, unknown> | null> {
  const [row] = await tx.query<{ credentials: Uint8Array | null }>(
    "SELECT credentials FROM insights.integration_connections WHERE user_id = $1 AND integration_id = $2",
    [userId, id],
  );
  if (!row?.credentials) return null;
  return JSON.parse(unseal(secret, row.credentials, credentialsBinding(userId, id), SEAL_PURPOSE).toString("utf8"));
}
