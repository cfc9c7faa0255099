import { setTimeout as sleep } from "node:timers/promises";
import { exampleDir, nextBin as nextExampleBin, prepareNextExample } from "../../scripts/nextjs-example.ts";
import type { LoadResult } from "../lib/load.ts";
import { buildNextPeer, installPeers, nextAppDir, nextBin } from "../lib/peers.ts";
import { freshPort, type ServerProcess, startServer } from "../lib/proc.ts";
import { type Figure, ratios } from "../lib/report.ts";
import { alternate } from "../lib/rounds.ts";
import { spread } from "../lib/stats.ts";
import { backplaneArgs, backplaneEnv, type Context, peersDir, type Scenario, warmAndMeasure } from "./context.ts";

const title = "2. Authenticated read (GET /api/biomech/sessions, page of 25)";
const memoryTitle = "5. Memory (server RSS)";
const MiB = 1024 * 1024;

interface Peer {
  server: ServerProcess;
  headers: Record<string, string>;
  idleRss: number;
}

/**
 * Backplane's sessions route with a database API key vs the bare node:http + pg ceiling and the
 * NestJS and Next.js peers. Also yields scenario 5 (memory): Backplane's RSS once booted and
 * idle, and its peak (VmHWM) after all the load of this scenario.
 */
export const authenticatedRead: Scenario = {
  id: "read",
  title,
  async run(context: Context): Promise<Figure[]> {
    const { seeded, config } = context;
    const path = `/api/biomech/sessions?orgId=${seeded.orgId}&limit=25`;
    const peerEnv = { DATABASE_URL: config.databaseUrl, BIOMECH_API_KEYS: seeded.staticKey, DATABASE_POOL_MAX: "10" };
    const servers: Peer[] = [];
    const start = async (name: string, args: string[], env: Record<string, string>, headers: Record<string, string>, cwd?: string) => {
      const server = await startServer({ name, args, port: freshPort(), env, cwd, readyPath: "/" });
      await sleep(1_000); // let start-up garbage settle before reading idle RSS
      const peer = { server, headers, idleRss: server.rss() };
      servers.push(peer);
      return peer;
    };
    try {
      const backplane = await start("Backplane", backplaneArgs("serve"), backplaneEnv(context), { "x-api-key": seeded.apiKey });
      const bare = await start("bare node:http + pg (ceiling)", [`${peersDir}bare-sessions.ts`], peerEnv, {});
      const peers: Peer[] = [];
      if (config.skipPeers) {
        context.notes.push("NestJS and Next.js peers skipped (BENCH_SKIP_PEERS=1).");
      } else {
        let installed = true;
        try {
          await installPeers(context.log);
        } catch (error) {
          // Loud, but the scenario goes on: Backplane against the bare ceiling is still worth having.
          installed = false;
          const reason = (error as Error).message.split("\n")[0];
          context.log(`  !! the NestJS and Next.js peers could not be installed (${reason}); measuring without them`);
          context.notes.push(`NestJS and Next.js peers NOT measured: their install failed (${reason}).`);
        }
        if (installed) {
          peers.push(await start("NestJS (Express)", [`${peersDir}nest/main.js`], peerEnv, { "x-api-key": seeded.staticKey }));
          try {
            await buildNextPeer(context.log);
            const port = freshPort();
            const server = await startServer({
              name: "Next.js route handler",
              args: [nextBin(), "start", "-p", String(port), "-H", "127.0.0.1"],
              port,
              cwd: nextAppDir,
              env: { ...peerEnv, NEXT_TELEMETRY_DISABLED: "1" },
              readyPath: "/",
            });
            await sleep(1_000);
            const peer = { server, headers: { "x-api-key": seeded.staticKey }, idleRss: server.rss() };
            servers.push(peer);
            peers.push(peer);
          } catch (error) {
            context.notes.push(`Next.js peer not measured: ${(error as Error).message.split("\n")[0]}`);
          }
        }
      }
      // Backplane itself served by `next start` through backplane/next (examples/nextjs): what the
      // adapter costs against `backplane serve`. Not a peer: the target below leaves it out, and
      // BENCH_SKIP_PEERS does not skip it (the example is the repository's own, installed by CI too).
      const onNext: Peer[] = [];
      try {
        await prepareNextExample(context.log);
        const port = freshPort();
        const server = await startServer({
          name: "Backplane on Next.js",
          args: [nextExampleBin, "start", "-p", String(port), "-H", "127.0.0.1"],
          port,
          cwd: exampleDir,
          // The same pool size as `serve` (the adapter's serverless default is 3).
          env: { ...backplaneEnv(context), DATABASE_POOL_MAX: "10", NEXT_TELEMETRY_DISABLED: "1" },
          readyPath: "/api/health",
        });
        await sleep(1_000);
        const peer = { server, headers: { "x-api-key": seeded.apiKey }, idleRss: server.rss() };
        servers.push(peer);
        onNext.push(peer);
      } catch (error) {
        context.notes.push(`Backplane on Next.js not measured: ${(error as Error).message.split("\n")[0]}`);
      }
      const subjects = [backplane, bare, ...peers, ...onNext];
      const result = await alternate<LoadResult>({
        subjects: subjects.map((peer) => ({
          name: peer.server.name,
          measure: () => warmAndMeasure(context, peer.server, path, peer.headers),
        })),
        rounds: config.rounds,
        baseline: bare.server.name,
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
        backplane: spread(of(backplane.server.name, pick)),
        baselines: [bare, ...peers, ...onNext].map((peer) => ({
          name: peer.server.name,
          value: spread(of(peer.server.name, pick)),
          ratio: ratios(of(backplane.server.name, pick), of(peer.server.name, pick)),
        })),
        flagged: result.flagged,
      });
      const throughput = figure("req/s", "", (sample) => sample.rps);
      const [ceiling, ...others] = throughput.baselines.slice(0, 1 + peers.length);
      const ahead = others.every((peer) => peer.ratio.median > 1);
      throughput.target = {
        text: "≥ 0.75× ceiling, and ahead of NestJS and Next.js",
        pass: (ceiling?.ratio.median ?? 0) >= 0.75 && ahead && others.length === 2,
      };
      const p99 = figure("latency p99", " ms", (sample) => sample.p99);
      p99.target = { text: "≤ 2× the ceiling's p99", pass: (p99.baselines[0]?.ratio.median ?? Number.POSITIVE_INFINITY) <= 2 };

      // Scenario 5: one value per process (no rounds), so no spread; ratios are to each peer's own.
      const memory = (metric: string, pick: (peer: Peer) => number): Figure => ({
        scenario: memoryTitle,
        metric,
        unit: " MB",
        backplane: spread([pick(backplane) / MiB]),
        baselines: [bare, ...peers, ...onNext].map((peer) => ({
          name: peer.server.name,
          value: spread([pick(peer) / MiB]),
          ratio: spread([pick(backplane) / pick(peer)]),
        })),
      });
      const peak = memory("peak RSS during scenario 2 (VmHWM)", (peer) => peer.server.peakRss());
      peak.target = { text: "≤ 200 MB", pass: peak.backplane.median <= 200 };
      const idle = memory("idle RSS after boot", (peer) => peer.idleRss);
      return [throughput, figure("latency p50", " ms", (sample) => sample.p50), p99, peak, idle];
    } finally {
      await Promise.all(servers.map((peer) => peer.server.stop()));
    }
  },
};
