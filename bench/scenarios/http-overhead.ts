import type { LoadResult } from "../lib/load.ts";
import { freshPort, type ServerProcess, startServer } from "../lib/proc.ts";
import { type Figure, ratios } from "../lib/report.ts";
import { alternate } from "../lib/rounds.ts";
import { spread } from "../lib/stats.ts";
import { backplaneArgs, backplaneEnv, type Context, peersDir, type Scenario, warmAndMeasure } from "./context.ts";

const title = "1. Framework overhead (GET /api/health)";

/**
 * Backplane's `/api/health` (the real `serve` process) vs bare node:http, Fastify and a bare Hono app
 * (the framework Backplane is built on) returning the same JSON.
 */
export const httpOverhead: Scenario = {
  id: "overhead",
  title,
  async run(context: Context): Promise<Figure[]> {
    const servers: ServerProcess[] = [];
    try {
      const start = async (name: string, args: string[], env: Record<string, string> = {}) => {
        const server = await startServer({ name, args, port: freshPort(), env, readyPath: "/api/health" });
        servers.push(server);
        return server;
      };
      const backplane = await start("Backplane", backplaneArgs("serve"), backplaneEnv(context));
      const bare = await start("bare node:http", [`${peersDir}bare-health.ts`]);
      const fastify = await start("Fastify", [`${peersDir}fastify-health.ts`]);
      const hono = await start("Hono (bare app)", [`${peersDir}hono-health.ts`]);

      const result = await alternate<LoadResult>({
        subjects: [backplane, bare, fastify, hono].map((server) => ({
          name: server.name,
          measure: () => warmAndMeasure(context, server, "/api/health"),
        })),
        rounds: context.config.rounds,
        baseline: bare.name,
        value: (sample) => sample.rps,
        maxSpread: context.config.maxBaselineSpread,
        maxRetries: context.config.maxRetries,
        log: context.log,
      });
      const of = (name: string, pick: (sample: LoadResult) => number) => (result.samples[name] ?? []).map(pick);
      const figure = (metric: string, unit: string, pick: (sample: LoadResult) => number): Figure => ({
        scenario: title,
        metric,
        unit,
        backplane: spread(of(backplane.name, pick)),
        baselines: [bare, fastify, hono].map((server) => ({
          name: server.name,
          value: spread(of(server.name, pick)),
          ratio: ratios(of(backplane.name, pick), of(server.name, pick)),
        })),
        flagged: result.flagged,
      });
      const throughput = figure("req/s", "", (sample) => sample.rps);
      const ratioToBare = throughput.baselines[0]?.ratio.median ?? 0;
      throughput.target = { text: "≥ 0.85× bare node:http", pass: ratioToBare >= 0.85 };
      return [throughput, figure("latency p50", " ms", (sample) => sample.p50), figure("latency p99", " ms", (sample) => sample.p99)];
    } finally {
      await Promise.all(servers.map((server) => server.stop()));
    }
  },
};
