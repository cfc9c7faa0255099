import bcrypt from "bcryptjs";
import { generateApiKey } from "../../src/platform/auth/api-key-format.ts";
import { createKeyVerifier } from "../../src/platform/auth/key-verifier.ts";
import { parseConfig } from "../../src/platform/config/config.ts";
import { openPostgres } from "../../src/platform/db/open-postgres.ts";
import { createLogger } from "../../src/platform/observability/logger.ts";
import { BENCH_SECRET } from "../lib/database.ts";
import { type Figure, ratios } from "../lib/report.ts";
import { alternate } from "../lib/rounds.ts";
import { spread } from "../lib/stats.ts";
import type { Context, Scenario } from "./context.ts";

const title = "3. Key verification (µs per verification)";

/** Runs `fn` `count` times in sequence; microseconds per call. */
async function perCall(count: number, fn: () => Promise<unknown>): Promise<number> {
  const started = performance.now();
  for (let i = 0; i < count; i++) await fn();
  return ((performance.now() - started) * 1000) / count;
}

/**
 * µs per verification of a real key, each right after a well-formed random key (checksum valid,
 * so it reaches the lookup and lands in the cache of unknown keys). Only the real key is timed.
 */
async function hitAmidFlood(verifier: ReturnType<typeof createKeyVerifier>, realKey: string, count: number): Promise<number> {
  let timed = 0;
  for (let i = 0; i < count; i++) {
    if ((await verifier.verify(generateApiKey("live"))).ok) throw new Error("a random key verified");
    const started = performance.now();
    if (!(await verifier.verify(realKey)).ok) throw new Error("the seeded key did not verify");
    timed += performance.now() - started;
  }
  return (timed * 1000) / count;
}

/**
 * Backplane's own verifier (src/platform/auth/key-verifier.ts) on the real database:
 * - cache hit: checksum + HMAC-SHA-256 + in-process cache (what a request pays in steady state);
 * - cache miss (cache TTL 0): checksum + HMAC + one indexed lookup over loopback;
 * - a hit amid a flood of unknown well-formed keys (they must not evict the real one);
 * vs one bcrypt cost-10 comparison (bcryptjs, pure JS: what seed 001 planned; native bcrypt is
 * roughly 2–3× faster than bcryptjs, so the ratio against native bcrypt would be smaller).
 */
export const keyVerification: Scenario = {
  id: "keys",
  title,
  async run(context: Context): Promise<Figure[]> {
    const { config, seeded } = context;
    const db = openPostgres({ url: config.databaseUrl, poolMax: 2, applicationName: "backplane-bench" });
    const log = createLogger({ level: "silent", pretty: false });
    const appConfig = (ttl: string) =>
      parseConfig({ DATABASE_URL: config.databaseUrl, BACKPLANE_SECRET: BENCH_SECRET, API_KEY_CACHE_TTL_SECONDS: ttl });
    const cached = createKeyVerifier({ db, config: appConfig("10"), log });
    const uncached = createKeyVerifier({ db, config: appConfig("0"), log });
    const hash = await bcrypt.hash(seeded.apiKey, 10);
    const check = async (verify: () => Promise<{ ok: boolean }>) => {
      if (!(await verify()).ok) throw new Error("the seeded key did not verify");
    };
    await check(() => cached.verify(seeded.apiKey));
    await check(() => uncached.verify(seeded.apiKey));
    if (!(await bcrypt.compare(seeded.apiKey, hash))) throw new Error("bcrypt comparison failed");
    try {
      const subjects = [
        { name: "Backplane, cache hit", measure: () => perCall(50_000, () => cached.verify(seeded.apiKey)) },
        { name: "Backplane, cache miss", measure: () => perCall(2_000, () => uncached.verify(seeded.apiKey)) },
        { name: "Backplane, hit amid a flood", measure: () => hitAmidFlood(cached, seeded.apiKey, 2_000) },
        { name: "bcrypt cost 10 (bcryptjs)", measure: () => perCall(8, () => bcrypt.compare(seeded.apiKey, hash)) },
      ];
      const result = await alternate<number>({
        subjects: subjects.map((subject) => ({
          name: subject.name,
          measure: async () => {
            const us = await subject.measure();
            context.log(`  ${subject.name.padEnd(28)} ${us.toFixed(2).padStart(10)} µs`);
            return us;
          },
        })),
        rounds: config.rounds,
        baseline: "bcrypt cost 10 (bcryptjs)",
        value: (us) => us,
        maxSpread: config.maxBaselineSpread,
        maxRetries: config.maxRetries,
        log: context.log,
      });
      const bcryptUs = result.samples["bcrypt cost 10 (bcryptjs)"] ?? [];
      const figure = (name: string, metric: string, target: (us: number, speedup: number) => Figure["target"]): Figure => {
        const us = result.samples[name] ?? [];
        const speedup = ratios(us, bcryptUs, true);
        return {
          scenario: title,
          metric,
          unit: " µs",
          backplane: spread(us),
          baselines: [{ name: "bcrypt cost 10", value: spread(bcryptUs), ratio: speedup }],
          ratioMeaning: "times faster (bcrypt ÷ Backplane)",
          target: target(spread(us).median, speedup.median),
          flagged: result.flagged,
        };
      };
      return [
        figure("Backplane, cache hit", "cache hit (steady state)", (us, speedup) => ({
          text: "≤ 20 µs and ≥ 1,000× faster than bcrypt",
          pass: us <= 20 && speedup >= 1000,
        })),
        figure("Backplane, hit amid a flood", "cache hit while well-formed unknown keys flood in (1 per check)", (us, speedup) => ({
          text: "≤ 20 µs and ≥ 1,000× faster than bcrypt (the flood must not evict real keys)",
          pass: us <= 20 && speedup >= 1000,
        })),
        figure("Backplane, cache miss", "cache miss (HMAC + indexed lookup)", (_us, speedup) => ({
          text: "≥ 1,000× faster than bcrypt (the 20 µs target is the hit path; a miss includes a database round trip)",
          pass: speedup >= 1000,
        })),
      ];
    } finally {
      await db.close();
    }
  },
};
