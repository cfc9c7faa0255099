import type { Command } from "commander";
import { serviceSource } from "../../platform/audit/record-audit-event.ts";
import { loadConfig } from "../../platform/config/config.ts";
import { type DeadLetter, listDeadLetters, replayDeadLetters } from "../../platform/jobs/dead-letters.ts";
import { jobRegistry } from "../../platform/jobs/job-registry.ts";
import { producerOf } from "../../platform/jobs/producer-of.ts";
import { isQueueName } from "../../platform/jobs/queues.ts";
import type { QueueName } from "../../platform/module.ts";
import { createRuntime } from "../../runtime/create-runtime.ts";
import { CliError, printJson, quietLogger } from "../command-kit.ts";

async function openForCli(json = false) {
  const config = loadConfig();
  if (!config.JOBS_ENABLED) throw new CliError("JOBS_ENABLED=false: there is no queue");
  return createRuntime(config, quietLogger(config, json), { role: "dlq", migrate: false });
}

function queueOption(value: string | undefined): QueueName | undefined {
  if (value === undefined) return undefined;
  if (!isQueueName(value)) throw new CliError(`--queue must be critical, default or bulk (got "${value}")`);
  return value;
}

const oneLine = (value: unknown) => {
  const text = typeof value === "string" ? value : JSON.stringify(value ?? null);
  return text.length > 80 ? `${text.slice(0, 77)}...` : text;
};

function printTable(items: DeadLetter[]): void {
  for (const item of items) {
    const error = (item.lastError as { message?: string } | null)?.message ?? item.lastError;
    process.stdout.write(
      `${item.id}  ${item.queue ?? "?"}  ${item.job ?? "?"}  attempts=${item.attempts}  at=${item.deadLetteredAt}\n    error: ${oneLine(error)}\n    payload: ${oneLine(item.payload)}\n`,
    );
  }
}

async function runList(options: { json?: boolean; queue?: string; limit: string }): Promise<void> {
  const queue = queueOption(options.queue);
  const limit = Number(options.limit);
  if (!Number.isInteger(limit) || limit < 1 || limit > 10_000) throw new CliError("--limit must be an integer from 1 to 10000");
  const runtime = await openForCli(options.json);
  try {
    // Pages of 200 until `limit`, so a large dead-letter queue is never read in one statement.
    const items: DeadLetter[] = [];
    let cursor: string | undefined;
    let total = 0;
    for (let page = 0; page < Math.ceil(limit / 200) && items.length < limit; page++) {
      const result = await listDeadLetters(runtime.services.db, {
        secret: runtime.services.config.BACKPLANE_SECRET,
        queue,
        cursor,
        limit: Math.min(200, limit - items.length),
      });
      items.push(...result.items);
      total = result.total;
      if (!result.nextCursor) break;
      cursor = result.nextCursor;
    }
    if (options.json) printJson({ total, items });
    else if (items.length === 0) process.stdout.write("The dead-letter queue is empty.\n");
    else {
      printTable(items);
      process.stdout.write(`${items.length} of ${total} dead-lettered job(s)${queue ? ` in ${queue}` : ""}.\n`);
    }
  } finally {
    await runtime.close();
  }
}

async function runReplay(id: string | undefined, options: { queue?: string; json?: boolean }): Promise<void> {
  const queue = queueOption(options.queue);
  if ((id === undefined) === (queue === undefined)) throw new CliError("Give a dead letter ID or --queue NAME (one of them)");
  const runtime = await openForCli(options.json);
  try {
    const { services, modules } = runtime;
    const result = await replayDeadLetters(
      {
        db: services.db,
        boss: await producerOf(services.jobs),
        registry: jobRegistry(modules),
        config: services.config,
        source: serviceSource("cli"),
      },
      { id, queue },
      options.json ? undefined : ({ replayed, total }) => process.stdout.write(`replayed ${replayed}/${total}\n`),
    );
    if (options.json) printJson(result);
    else if (result.replayed === 0)
      process.stdout.write(
        id ? `Nothing to replay: ${id} is not in the dead-letter queue (already replayed?).\n` : `Nothing to replay in ${queue}.\n`,
      );
    else process.stdout.write(`Replayed ${result.replayed} job(s).\n`);
  } finally {
    await runtime.close();
  }
}

export function registerDlqCommands(program: Command): void {
  const dlq = program.command("dlq").description("Dead-lettered jobs: list and replay");
  dlq
    .command("list")
    .description("List dead-lettered jobs, newest first")
    .option("--queue <name>", "only this queue (critical, default, bulk)")
    .option("--limit <n>", "at most this many", "100")
    .option("--json", "print JSON")
    .action(runList);
  dlq
    .command("replay")
    .description("Replay one dead letter by ID, or all of a queue with --queue (idempotent)")
    .argument("[id]", "dead letter id (from `dlq list`)")
    .option("--queue <name>", "replay every dead letter of this queue")
    .option("--json", "print JSON")
    .action(runReplay);
}
