import pg from "pg";
import { redactText } from "../../src/modules/workflows/redact-pii.ts";
import { generateTriggerKey, triggerKeyDigester, triggerKeyPrefix } from "../../src/modules/workflows/trigger-key.ts";
import { BENCH_SECRET } from "../lib/database.ts";
import { type LoadResult, runLoad } from "../lib/load.ts";
import { freshPort, type ServerProcess, startServer } from "../lib/proc.ts";
import { type Figure, ratios } from "../lib/report.ts";
import { alternate } from "../lib/rounds.ts";
import { spread } from "../lib/stats.ts";
import { backplaneArgs, backplaneEnv, type Context, peersDir, type Scenario } from "./context.ts";

const title = "7. Durable trigger intake (POST /api/v1/triggers/{key}, 202)";
export const triggerBody = JSON.stringify({
  orderId: "A-1042",
  email: "jo@example.com",
  items: [{ sku: "X1", qty: 2 }],
  note: "x".repeat(300),
});

/** A workflow with one log step and its trigger, written straight into the bench database. */
export async function seedTrigger(databaseUrl: string, orgId: string): Promise<string> {
  const key = generateTriggerKey();
  const client = new pg.Client({ connectionString: databaseUrl });
  await client.connect();
  try {
    const workflowId = `wf_bench${Date.now().toString(36)}`;
    await client.query(
      "INSERT INTO workflows.workflows (id, org_id, name, priority, steps, created_by) VALUES ($1, $2, 'bench', 'default', $3, 'bench')",
      [workflowId, orgId, JSON.stringify([{ type: "log", name: "note", level: "info", message: "got {{trigger.body.orderId}}" }])],
    );
    await client.query(
      "INSERT INTO workflows.triggers (id, org_id, workflow_id, name, digest, prefix) VALUES ($1, $2, $3, 'bench', $4, $5)",
      [`trig_bench${Date.now().toString(36)}`, orgId, workflowId, triggerKeyDigester(BENCH_SECRET)(key), triggerKeyPrefix(key)],
    );
  } finally {
    await client.end();
  }
  return key;
}

/**
 * Backplane's trigger intake (key lookup, inbox row with the raw body, run row and start job,
 * one transaction, then 202) vs bare node:http + pg inserting one row. Also measures the PII
 * redaction applied to each workflow log row, per 1 KB message, in this process.
 */
export const triggerIntake: Scenario = {
  id: "intake",
  title,
  async run(context: Context): Promise<Figure[]> {
    const { seeded, config } = context;
    const servers: ServerProcess[] = [];
    try {
      const backplane = await startServer({
        name: "Backplane",
        args: backplaneArgs("serve"),
        port: freshPort(),
        env: backplaneEnv(context),
        readyPath: "/",
      });
      servers.push(backplane);
      const bare = await startServer({
        name: "bare node:http + pg insert",
        args: [`${peersDir}bare-trigger.ts`],
        port: freshPort(),
        env: { DATABASE_URL: config.databaseUrl, DATABASE_POOL_MAX: "10" },
        readyPath: "/",
      });
      servers.push(bare);
      const key = await seedTrigger(config.databaseUrl, seeded.orgId);
      const measure = (server: ServerProcess, path: string) => async () => {
        const base = {
          url: server.url,
          path,
          method: "POST" as const,
          body: triggerBody,
          headers: { "content-type": "application/json" },
          connections: config.connections,
          maxRequests: config.maxRequestsPerLoad,
          expectStatus: 202,
        };
        await runLoad({ ...base, durationSeconds: config.warmupSeconds });
        const result = await runLoad({ ...base, durationSeconds: config.durationSeconds });
        if (result.errors > 0)
          throw new Error(`${server.name}: ${result.errors} of ${result.requests} requests failed (${result.firstError})`);
        context.log(`  ${server.name.padEnd(28)} ${result.rps.toFixed(0).padStart(7)} req/s  p99 ${result.p99.toFixed(3)} ms`);
        return result;
      };
      const result = await alternate<LoadResult>({
        subjects: [
          { name: backplane.name, measure: measure(backplane, `/api/v1/triggers/${key}`) },
          { name: bare.name, measure: measure(bare, "/t/x") },
        ],
        rounds: config.rounds,
        baseline: bare.name,
        value: (sample) => sample.rps,
        maxSpread: config.maxBaselineSpread,
        maxRetries: config.maxRetries,
        log: context.log,
      });
      const of = (name: string, pick: (sample: LoadResult) => number) => (result.samples[name] ?? []).map(pick);
      const figure = (metric: string, unit: string, pick: (sample: LoadResult) => number): Figure => ({
        scenario: title,
        metric,
        unit,
        backplane: spread(of(backplane.name, pick)),
        baselines: [{ name: bare.name, value: spread(of(bare.name, pick)), ratio: ratios(of(backplane.name, pick), of(bare.name, pick)) }],
        flagged: result.flagged,
      });
      const throughput = figure("202/s", "", (sample) => sample.rps);
      throughput.target = { text: "≥ 0.7× the bare insert", pass: (throughput.baselines[0]?.ratio.median ?? 0) >= 0.7 };
      const p99 = figure("latency p99", " ms", (sample) => sample.p99);

      // Redaction of one 1 KB log message (mixed text with an email, a phone and a card number).
      const message =
        `order A-1042 for jo@example.com, call +14155550123, card 4111 1111 1111 1111; ${"lorem ipsum dolor sit amet ".repeat(40)}`.slice(
          0,
          1024,
        );
      for (let i = 0; i < 2_000; i++) redactText(message);
      const samples: number[] = [];
      for (let round = 0; round < 5; round++) {
        const started = performance.now();
        for (let i = 0; i < 5_000; i++) redactText(message);
        samples.push(((performance.now() - started) * 1000) / 5_000);
      }
      const redaction: Figure = {
        scenario: title,
        metric: "PII redaction per 1 KB log message",
        unit: " µs",
        backplane: spread(samples),
        baselines: [],
      };
      return [throughput, p99, redaction];
    } finally {
      await Promise.all(servers.map((server) => server.stop()));
    }
  },
};
