/** Queue settings that keep tests in seconds: fast polls, no retry delay, a short drain. */
export const fastJobsEnv: Record<string, string> = {
  LOG_LEVEL: "error",
  JOBS_POLL_INTERVAL_SECONDS: "0.5",
  JOBS_RETRY_DELAY_SECONDS: "0",
  JOBS_HEARTBEAT_SECONDS: "10",
  JOBS_SUPERVISE_SECONDS: "1",
  JOBS_CRON_CHECK_SECONDS: "1",
  WORKER_DRAIN_SECONDS: "2",
  METRICS_TOKEN: "metrics-token-for-tests-0123456789",
  // The worker child and the test's own app digest keys alike.
  BACKPLANE_SECRET: "backplane-test-secret-0123456789-abcdefghij",
};
