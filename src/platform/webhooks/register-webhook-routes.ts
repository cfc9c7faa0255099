import type { AppRouter } from "../http/app-env.ts";
import { jobRegistry } from "../jobs/job-registry.ts";
import type { BackplaneModule } from "../module.ts";
import { registerListWebhookEvents } from "./routes/list-webhook-events.ts";
import { registerReplayWebhookEvent } from "./routes/replay-webhook-event.ts";

/** The webhook inbox for operators: list events, replay one. */
export function registerWebhookRoutes(app: AppRouter, modules: BackplaneModule[]): void {
  registerListWebhookEvents(app);
  registerReplayWebhookEvent(app, jobRegistry(modules));
}
