import type { Database } from "../db/database.ts";
import type { QueueName } from "../module.ts";
import { deadLetterCountsByQueue, queueStateCounts, type StateCountRow } from "./queue-sql.ts";
import { DEAD_LETTER_QUEUE, isQueueName, JOBS_QUEUE, queueNames, queuePriority } from "./queues.ts";

export const jobStates = ["created", "retry", "active", "completed", "cancelled", "failed"] as const;
export type JobState = (typeof jobStates)[number];

export interface QueueMetrics {
  queue: QueueName;
  priority: number;
  /** Jobs by state; `created` and `retry` are waiting (retry: after a failed attempt, possibly deferred). */
  counts: Record<JobState, number>;
  /** Age of the oldest job ready to run now; 0 when none waits. */
  oldestWaitingSeconds: number;
  completed: { lastMinute: number; lastHour: number };
  /** Jobs that failed for good (and went to the dead-letter queue). */
  failed: { lastMinute: number; lastHour: number };
  deadLetter: number;
}

const queueForPriority = new Map(queueNames.map((queue) => [queuePriority[queue], queue]));

/** Every queue's numbers in two statements. */
export async function readQueueMetrics(db: Database): Promise<QueueMetrics[]> {
  const metrics = new Map<QueueName, QueueMetrics>(
    queueNames.map((queue) => [
      queue,
      {
        queue,
        priority: queuePriority[queue],
        counts: Object.fromEntries(jobStates.map((state) => [state, 0])) as Record<JobState, number>,
        oldestWaitingSeconds: 0,
        completed: { lastMinute: 0, lastHour: 0 },
        failed: { lastMinute: 0, lastHour: 0 },
        deadLetter: 0,
      },
    ]),
  );
  for (const row of await db.query<StateCountRow>(queueStateCounts, [JOBS_QUEUE])) {
    const queue = queueForPriority.get(Number(row.priority));
    const entry = queue ? metrics.get(queue) : undefined;
    if (!entry) continue;
    if ((jobStates as readonly string[]).includes(row.state)) entry.counts[row.state as JobState] += Number(row.count);
    entry.oldestWaitingSeconds = Math.max(entry.oldestWaitingSeconds, Math.max(0, Number(row.oldest_waiting_seconds ?? 0)));
    entry.completed.lastMinute += Number(row.completed_1m);
    entry.completed.lastHour += Number(row.completed_1h);
    entry.failed.lastMinute += Number(row.failed_1m);
    entry.failed.lastHour += Number(row.failed_1h);
  }
  for (const row of await db.query<{ queue: string | null; count: number }>(deadLetterCountsByQueue, [DEAD_LETTER_QUEUE])) {
    if (isQueueName(row.queue)) (metrics.get(row.queue) as QueueMetrics).deadLetter = Number(row.count);
  }
  return [...metrics.values()].map((entry) => ({ ...entry, oldestWaitingSeconds: Math.round(entry.oldestWaitingSeconds * 1000) / 1000 }));
}

/** The same numbers as Prometheus text exposition (gauges). */
export function prometheusQueueMetrics(metrics: QueueMetrics[]): string {
  const lines: string[] = [];
  const gauge = (name: string, help: string, samples: [string, number][]) => {
    lines.push(`# HELP ${name} ${help}`, `# TYPE ${name} gauge`);
    for (const [labels, value] of samples) lines.push(`${name}{${labels}} ${value}`);
  };
  gauge(
    "backplane_queue_jobs",
    "Jobs in the queue by state.",
    metrics.flatMap((m) => jobStates.map((state) => [`queue="${m.queue}",state="${state}"`, m.counts[state]] as [string, number])),
  );
  gauge(
    "backplane_queue_oldest_waiting_seconds",
    "Age of the oldest job ready to run.",
    metrics.map((m) => [`queue="${m.queue}"`, m.oldestWaitingSeconds]),
  );
  gauge(
    "backplane_queue_completed_recent",
    "Jobs completed in the trailing window.",
    metrics.flatMap((m) => [
      [`queue="${m.queue}",window="1m"`, m.completed.lastMinute] as [string, number],
      [`queue="${m.queue}",window="1h"`, m.completed.lastHour] as [string, number],
    ]),
  );
  gauge(
    "backplane_queue_failed_recent",
    "Jobs failed for good in the trailing window.",
    metrics.flatMap((m) => [
      [`queue="${m.queue}",window="1m"`, m.failed.lastMinute] as [string, number],
      [`queue="${m.queue}",window="1h"`, m.failed.lastHour] as [string, number],
    ]),
  );
  gauge(
    "backplane_queue_dead_letter_jobs",
    "Jobs waiting in the dead-letter queue.",
    metrics.map((m) => [`queue="${m.queue}"`, m.deadLetter]),
  );
  return `${lines.join("\n")}\n`;
}
