import type { Sql } from "../../../platform/db/database.ts";
import { newId } from "../../../platform/ids.ts";
import { redactText, redactValue } from "../redact-pii.ts";

export type LogLevel = "debug" | "info" | "warn" | "error";

export interface LogEntry {
  orgId: string;
  level: LogLevel;
  message: string;
  metadata?: Record<string, unknown>;
  workflowId?: string | null;
  jobId?: string | null;
}

const MAX_MESSAGE = 10_000;

/** Writes one log row with PII redacted before it reaches the table; `pii_redacted` says whether anything was. */
export async function writeLog(tx: Sql, entry: LogEntry): Promise<void> {
  const message = redactText(entry.message.slice(0, MAX_MESSAGE));
  const metadata = redactValue(entry.metadata ?? {});
  await tx.query(
    `INSERT INTO workflows.logs (id, org_id, level, message, metadata, workflow_id, job_id, pii_redacted)
     VALUES ($1, $2, $3, $4, $5, $6, $7, $8)`,
    [
      newId("log"),
      entry.orgId,
      entry.level,
      message.value,
      JSON.stringify(metadata.value),
      entry.workflowId ?? null,
      entry.jobId ?? null,
      message.redacted || metadata.redacted,
    ],
  );
}
