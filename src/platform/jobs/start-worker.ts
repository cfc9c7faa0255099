import { setTimeout as sleep } from "node:timers/promises";
import type { Job, JobResult, PgBoss } from "pg-boss";
import type { BackplaneModule, Services } from "../module.ts";
import { jobRegistry } from "./job-registry.ts";
import { createBoss } from "./open-boss.ts";
import { handBackJobs } from "./queue-sql.ts";
import { DEAD_LETTER_QUEUE, JOBS_QUEUE, type JobEnvelope } from "./queues.ts";
import { runJob } from "./run-job.ts";
import { syncCrons } from "./sync-crons.ts";

export interface RunningWorker {
  /**
   * Stops fetching, lets running jobs finish for up to `drainSeconds` (WORKER_DRAIN_SECONDS),
   * hands the unfinished ones back to the queue (they run again elsewhere, without using up an
   * attempt) and stops cron and the supervisor.
   */
  stop(drainSeconds?: number): Promise<{ finished: number; handedBack: number }>;
  /** Jobs running right now in this process. */
  readonly running: number;
}

interface InFlight {
  job: Job<JobEnvelope>;
  abort: AbortController;
  done: Promise<unknown>;
}

/** Runs the selected modules' jobs and crons in this process until `stop()`. */
export async function startWorker(services: Services, modules: BackplaneModule[]): Promise<RunningWorker> {
  const { config, log } = services;
  const registry = jobRegistry(modules);
  const boss = createBoss({ config, db: services.db, log, role: "worker" });
  await boss.start();
  await syncQueueSettings(boss, services);
  await syncCrons(boss, registry, config);

  const inFlight = new Map<string, InFlight>();
  let draining = false;

  const handBack = async (jobs: Job<JobEnvelope>[]) => {
    if (jobs.length === 0) return;
    await boss.getDb().executeSql(handBackJobs, [JOBS_QUEUE, jobs.map((job) => job.id), jobs.map((job) => `${job.id}:${job.retryCount}`)]);
  };

  const runOne = async (job: Job<JobEnvelope>): Promise<JobResult | null> => {
    const abort = new AbortController();
    const signal = AbortSignal.any([abort.signal, job.signal]);
    const done = runJob(job, registry, services, signal);
    inFlight.set(job.id, { job, abort, done });
    try {
      return await done;
    } finally {
      inFlight.delete(job.id);
    }
  };

  await boss.work<JobEnvelope>(
    JOBS_QUEUE,
    {
      batchSize: config.JOBS_BATCH_SIZE,
      localConcurrency: config.JOBS_CONCURRENCY,
      perJobResults: true,
      // A full batch means more is waiting: fetch again at once instead of sleeping.
      burstWhenBatchFull: true,
      // NOTIFY wakes an idle worker within milliseconds; the poll is the backstop, and what
      // starts a retry whose backoff has run out.
      pollingIntervalSeconds: config.JOBS_POLL_INTERVAL_SECONDS,
      notifyPollingIntervalSeconds: config.JOBS_POLL_INTERVAL_SECONDS,
    },
    async (jobs) => {
      if (draining) {
        // Fetched while the drain began: give them straight back. A job left out of the results
        // is failed by pg-boss, but that fail is fenced to `active`, so it no longer applies.
        await handBack(jobs);
        return [];
      }
      const results = await Promise.all(jobs.map(runOne));
      return results.filter((result): result is JobResult => result !== null);
    },
  );
  log.info(
    { jobs: registry.jobs.length, crons: registry.crons.length, concurrency: config.JOBS_CONCURRENCY, batchSize: config.JOBS_BATCH_SIZE },
    "worker started",
  );

  let stopping: Promise<{ finished: number; handedBack: number }> | null = null;
  const stop = async (drainSeconds = config.WORKER_DRAIN_SECONDS) => {
    draining = true;
    const runningAtStop = inFlight.size;
    // Stop fetching and wait for the batches in hand, up to the drain deadline.
    const loopsStopped = boss.offWork(JOBS_QUEUE, { wait: true });
    const deadline = sleep(drainSeconds * 1000, "timeout" as const);
    await Promise.race([loopsStopped.then(() => "drained" as const), deadline]);
    const unfinished = [...inFlight.values()];
    if (unfinished.length > 0) {
      await handBack(unfinished.map((entry) => entry.job)).catch((error: unknown) => {
        // The heartbeat sweep retries them anyway once this process is gone.
        log.error({ err: error }, "could not hand unfinished jobs back; they will be retried after the heartbeat timeout");
      });
      for (const entry of unfinished) entry.abort.abort(new Error("worker is shutting down; the job was handed back"));
      log.warn(
        { handedBack: unfinished.map((entry) => ({ id: entry.job.id, job: entry.job.data.job })) },
        "drain timeout: jobs handed back",
      );
    }
    await boss.stop({ graceful: false, close: true });
    const result = { finished: Math.max(0, runningAtStop - unfinished.length), handedBack: unfinished.length };
    log.info({ ...result, drainSeconds }, "worker stopped");
    return result;
  };

  return {
    stop: (drainSeconds) => {
      stopping ??= stop(drainSeconds);
      return stopping;
    },
    get running() {
      return inFlight.size;
    },
  };
}

/** Settings that live on the queue rows and follow the configuration. */
async function syncQueueSettings(boss: PgBoss, services: Services): Promise<void> {
  const retentionSeconds = services.config.JOBS_DLQ_RETENTION_DAYS * 86_400;
  const deadLetters = await boss.getQueue(DEAD_LETTER_QUEUE);
  if (deadLetters && deadLetters.retentionSeconds !== retentionSeconds) await boss.updateQueue(DEAD_LETTER_QUEUE, { retentionSeconds });
}
