import type { Job, JobResult } from "pg-boss";
import type { Services } from "../module.ts";
import type { JobRegistry } from "./job-registry.ts";
import type { JobEnvelope } from "./queues.ts";

/** What a failed attempt stores as the job's output (and, at the end, the dead letter's last error). */
export function errorOutput(error: unknown): { message: string; name: string; stack?: string } {
  if (error instanceof Error) return { name: error.name, message: error.message, stack: error.stack?.split("\n").slice(0, 8).join("\n") };
  return { name: "Error", message: String(error) };
}

/**
 * One attempt of one job: re-validate the payload (a payload that no longer fits its schema will
 * never fit, so it goes straight to the dead-letter queue), run the handler, and report how it went.
 */
export async function runJob(job: Job<JobEnvelope>, registry: JobRegistry, services: Services, signal: AbortSignal): Promise<JobResult> {
  const envelope = job.data;
  const definition = envelope && typeof envelope.job === "string" ? registry.get(envelope.job) : undefined;
  if (!definition) {
    // Possibly a worker running another module set picks it up on a retry; then the dead-letter queue.
    return {
      id: job.id,
      status: "failed",
      output: { name: "UnknownJob", message: `No handler for job ${envelope?.job ?? "?"} in this worker` },
    };
  }
  const parsed = definition.payload.safeParse(envelope.payload);
  if (!parsed.success) {
    const issues = parsed.error.issues.map((issue) => ({
      field: ["payload", ...issue.path.map(String)].join("."),
      message: issue.message,
    }));
    return {
      id: job.id,
      status: "deadletter",
      output: { name: "InvalidPayload", message: `Payload no longer validates: ${issues[0]?.field}: ${issues[0]?.message}`, issues },
    };
  }
  try {
    await definition.handler(parsed.data, { services, jobId: job.id, attempt: job.retryCount + 1, signal });
    return { id: job.id, status: "completed" };
  } catch (error) {
    services.log.warn({ job: definition.name, jobId: job.id, attempt: job.retryCount + 1, err: error }, "job attempt failed");
    return { id: job.id, status: "failed", output: errorOutput(error) };
  }
}
