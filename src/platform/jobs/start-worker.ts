import { setTimeout as sleep } from "node:timers/promises";
import type { Job, JobResult, PgBoss } from "pg-boss";
import type { BackplaneModule, Services } from "../module.ts";
import { jobRegistry } from "./job-registry.ts";
import { keepJobStatistics } from "./job-table-statistics.ts";
import { outageBackoff } from "./outage-backoff.ts";
import { handBackJobs } from "./queue-sql.ts";
import { DEAD_LETTER_QUEUE, JOBS_QUEUE, type JobEnvelope } from "./queues.ts";
import { runJob } from "./run-job.ts";
import { syncCrons } from "./sync-crons.ts";

export interface StoppedWorker {
  /** Jobs running at the signal that finished within the drain. */
  finished: number;
  /** Unfinished jobs the queue took back (they run again elsewhere, without using up an attempt). */
  handedBack: number;
  /** Unfinished jobs that could not be handed back (database unreachable): the heartbeat expiry retries them. */
  leftToExpiry: number;
}

export interface RunningWorker {
  /**
   * Stops fetching, lets running jobs finish for up to `drainSeconds` (WORKER_DRAIN_SECONDS),
   * hands the unfinished ones back to the queue and stops cron and the supervisor.
   */
  stop(drainSeconds?: number): Promise<StoppedWorker>;
  /** Jobs running right now in this process. */
  readonly running: number;
}

interface InFlight {
  job: Job<JobEnvelope>;
  abort: AbortController;
  done: Promise<unknown>;
}

/** After the drain: how long handing jobs back, and then stopping the queue, may take. */
const HAND_BACK_TIMEOUT_MS = 1_500;

/** Runs the selected modules' jobs and crons in this process until `stop()`. */
export async function startWorker(services: Services, modules: BackplaneModule[]): Promise<RunningWorker> {
  const { config, log } = services;
  const registry = jobRegistry(modules);
  const backoff = outageBackoff({ log });
  // Loaded here, not at import: `serve` imports this file's command but never runs a worker.
  const { createBoss } = await import("./open-boss.ts");
  const boss = createBoss({ config, db: services.db, log, role: "worker", backoff });
  await boss.start();
  await syncQueueSettings(boss, services);
  await syncCrons(boss, registry, config);
  const statistics =
    services.db.kind === "postgres"
      ? keepJobStatistics(boss, { log, intervalSeconds: config.JOBS_SUPERVISE_SECONDS, absorbs: (error) => backoff.absorbs(error) })
      : null;

  const inFlight = new Map<string, InFlight>();
  let draining = false;

  /** Returns the ids the queue actually took back (a job that finished meanwhile is not among them). */
  const handBack = async (jobs: Job<JobEnvelope>[]): Promise<string[]> => {
    if (jobs.length === 0) return [];
    const { rows } = await boss
      .getDb()
      .executeSql(handBackJobs, [JOBS_QUEUE, jobs.map((job) => job.id), jobs.map((job) => `${job.id}:${job.retryCount}`)]);
    return (rows as { id: string }[]).map((row) => row.id);
  };

  const runOne = async (job: Job<JobEnvelope>): Promise<JobResult | null> => {
    const abort = new AbortController();
    const signal = AbortSignal.any([abort.signal, job.signal]);
    const done = runJob(job, registry, services, signal);
    inFlight.set(job.id, { job, abort, done });
    // Once handed back the job is not ours: the batch settles at once (while the queue's pool is
    // still open), even if the handler ignores its signal and runs on until the process exits.
    const abandoned = new Promise<null>((resolve) => abort.signal.addEventListener("abort", () => resolve(null), { once: true }));
    try {
      return await Promise.race([done, abandoned]);
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

  let stopping: Promise<StoppedWorker> | null = null;
  const stop = async (drainSeconds = config.WORKER_DRAIN_SECONDS): Promise<StoppedWorker> => {
    draining = true;
    statistics?.stop();
    const runningAtStop = inFlight.size;
    // Stop fetching and wait for the batches in hand, up to the drain deadline.
    const loopsStopped = boss.offWork(JOBS_QUEUE, { wait: true });
    const deadline = sleep(drainSeconds * 1000, "timeout" as const);
    await Promise.race([loopsStopped.then(() => "drained" as const), deadline]);
    // From here on nothing waits out an outage: a hand-back that cannot reach the database fails fast.
    backoff.stop();
    const unfinished = [...inFlight.values()];
    let handedBack: string[] = [];
    let leftToExpiry = 0;
    if (unfinished.length > 0) {
      const described = (entries: InFlight[]) => entries.map((entry) => ({ id: entry.job.id, job: entry.job.data.job }));
      try {
        const answer = await Promise.race([
          handBack(unfinished.map((entry) => entry.job)),
          sleep(HAND_BACK_TIMEOUT_MS, "timeout" as const),
        ]);
        if (answer === "timeout") throw new Error(`no answer within ${HAND_BACK_TIMEOUT_MS} ms`);
        handedBack = answer;
      } catch (error) {
        leftToExpiry = unfinished.length;
        log.warn(
          {
            jobs: described(unfinished),
            heartbeatSeconds: config.JOBS_HEARTBEAT_SECONDS,
            err: error instanceof Error ? error.message : String(error),
          },
          "drain timeout: jobs left to the expiry sweep (the database is unreachable)",
        );
      }
      if (handedBack.length > 0) {
        log.warn(
          { handedBack: described(unfinished.filter((entry) => handedBack.includes(entry.job.id))) },
          "drain timeout: jobs handed back",
        );
      }
      for (const entry of unfinished) entry.abort.abort(new Error("worker is shutting down"));
      // Let the fetch loops finish their batches while the pool is still open (bounded).
      await Promise.race([loopsStopped, sleep(500)]);
    }
    await Promise.race([boss.stop({ graceful: false, close: true }), sleep(HAND_BACK_TIMEOUT_MS)]);
    const result = { finished: Math.max(0, runningAtStop - unfinished.length), handedBack: handedBack.length, leftToExpiry };
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
