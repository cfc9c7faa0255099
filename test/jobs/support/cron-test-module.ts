import { defineCron } from "../../../src/platform/jobs/define-job.ts";
import { defineModule } from "../../../src/platform/module.ts";

/** A cron every minute, for the one-tick-one-run test (its job lives in jobs-test-module.ts). */
export default defineModule({
  name: "crontest",
  crons: [defineCron({ name: "test.every-minute", cron: "* * * * *", job: "test.tick", payload: { from: "cron" } })],
});
