import { Webhook } from "standardwebhooks";
import { sendMail } from "../../../platform/mail/send-mail.ts";
import type { Services } from "../../../platform/module.ts";
import { guardedRequest } from "../../../platform/outbound/guarded-request.ts";
import { withTenant } from "../../../platform/tenancy/with-tenant.ts";
import { renderJson, renderTemplate } from "../render-template.ts";
import type { HttpRequestStep, Step } from "../schemas.ts";
import { writeLog } from "../services/write-log.ts";

export interface StepRunContext {
  services: Services;
  orgId: string;
  workflowId: string;
  runId: string;
  /** Stable across retries of the step: the Standard Webhooks message id, so a receiver can dedupe. */
  jobId: string;
  signal: AbortSignal;
}

export interface StepResult {
  /** Stored as the step's output and shown to later templates as `steps.<name>`. */
  output: Record<string, unknown>;
  /** A delay step: the next step starts this many seconds later. */
  delaySeconds?: number;
}

/** A failure the step reports as is (no stack), e.g. `refused: … private address`. */
export class StepError extends Error {
  override name = "StepError";
}

export async function executeStep(step: Step, view: unknown, context: StepRunContext): Promise<StepResult> {
  switch (step.type) {
    case "http_request":
      return { output: { response: await callHttp(step, view, context) } };
    case "email": {
      const to = renderTemplate(step.to, view).trim();
      const sent = await sendMail(context.services, {
        to,
        subject: renderTemplate(step.subject, view).replace(/[\r\n]+/g, " "),
        text: renderTemplate(step.body, view),
      }).catch((error: unknown) => {
        throw new StepError(`email not sent: ${error instanceof Error ? error.message.slice(0, 300) : String(error)}`);
      });
      return { output: { messageId: sent.messageId, transport: sent.transport } };
    }
    case "delay":
      return { output: { delayedSeconds: step.seconds }, delaySeconds: step.seconds };
    case "log": {
      const message = renderTemplate(step.message, view);
      await withTenant(context.services.db, { orgId: context.orgId, userId: null, principal: "job:workflows.run-step" }, (tx) =>
        writeLog(tx, {
          orgId: context.orgId,
          level: step.level,
          message,
          workflowId: context.workflowId,
          jobId: context.jobId,
          metadata: { runId: context.runId, step: step.name },
        }),
      );
      return { output: { logged: true } };
    }
  }
}

const MAX_BODY_IN_OUTPUT = 256 * 1024;

async function callHttp(step: HttpRequestStep, view: unknown, context: StepRunContext) {
  const { config } = context.services;
  // Values substituted into the URL are URI-encoded, so a value cannot add a path or a query.
  const url = renderTemplate(step.url, view, encodeURIComponent);
  const headers: Record<string, string> = {};
  for (const [name, value] of Object.entries(step.headers ?? {}))
    headers[name.toLowerCase()] = renderTemplate(value, view).replace(/[\r\n]/g, "");
  const body = step.body === undefined || step.method === "GET" ? undefined : JSON.stringify(renderJson(step.body, view));
  if (body !== undefined) headers["content-type"] ??= "application/json";
  headers["user-agent"] ??= "Backplane-Workflows/1";
  if (step.signingSecret) {
    const id = `msg_${context.jobId}`;
    const timestamp = new Date();
    headers["webhook-id"] = id;
    headers["webhook-timestamp"] = String(Math.floor(timestamp.getTime() / 1000));
    headers["webhook-signature"] = new Webhook(step.signingSecret).sign(id, timestamp, body ?? "");
  }
  const response = await guardedRequest(
    { method: step.method, url, headers, body },
    { allowedHosts: config.OUTBOUND_ALLOWED_HOSTS, timeoutMs: step.timeoutMs ?? config.OUTBOUND_TIMEOUT_MS, signal: context.signal },
  ).catch((error: unknown) => {
    throw new StepError(`${step.method} ${safeUrl(url)}: ${error instanceof Error ? error.message : String(error)}`);
  });
  const text = response.body.subarray(0, MAX_BODY_IN_OUTPUT).toString("utf8");
  let parsed: unknown = text;
  if (/json/i.test(response.headers["content-type"] ?? "") && !response.truncated) {
    try {
      parsed = JSON.parse(text);
    } catch {
      parsed = text;
    }
  }
  const result = {
    status: response.status,
    headers: { "content-type": response.headers["content-type"] ?? null },
    body: parsed,
    truncated: response.truncated,
  };
  if (response.status < 200 || response.status > 299) throw new StepError(`${step.method} ${safeUrl(url)}: HTTP ${response.status}`);
  return result;
}

/** Scheme, host and path only: a query string may carry a token. */
function safeUrl(url: string): string {
  try {
    const parsed = new URL(url);
    return `${parsed.protocol}//${parsed.host}${parsed.pathname}`;
  } catch {
    return "(invalid URL)";
  }
}
