/**
 * Gets examples/nextjs ready to `next start`: its dependencies installed (from its lockfile),
 * Backplane compiled to dist/ (what `backplane/next` resolves to) and `next build` run, each
 * skipped when its output is newer than what it is made from. Used by the example's test and the
 * benchmark; `node scripts/nextjs-example.ts` runs it by hand.
 */
import { spawn } from "node:child_process";
import { existsSync, readdirSync, statSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";

export const repositoryDir = fileURLToPath(new URL("../", import.meta.url));
export const exampleDir = path.join(repositoryDir, "examples/nextjs");
export const nextBin = path.join(exampleDir, "node_modules/next/dist/bin/next");

/** Runs a command to its end; rejects with its output's tail on a non-zero exit or past the bound. */
function run(command: string, args: string[], options: { cwd: string; timeoutMs: number; env?: Record<string, string> }): Promise<void> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { cwd: options.cwd, env: { ...process.env, ...options.env }, stdio: ["ignore", "pipe", "pipe"] });
    let output = "";
    const keep = (chunk: Buffer) => {
      output = (output + chunk.toString()).slice(-8_000);
    };
    child.stdout.on("data", keep);
    child.stderr.on("data", keep);
    const timer = setTimeout(() => child.kill("SIGKILL"), options.timeoutMs);
    child.on("error", reject);
    child.on("close", (code, signal) => {
      clearTimeout(timer);
      if (code === 0) resolve();
      else reject(new Error(`${path.basename(command)} ${args.join(" ")} failed (${signal ?? `exit ${code}`}):\n${output}`));
    });
  });
}

/** The newest modification time under these files and folders (0 when none exists). */
function newest(paths: string[]): number {
  let latest = 0;
  const visit = (file: string) => {
    if (!existsSync(file)) return;
    const stat = statSync(file);
    if (stat.isDirectory()) {
      for (const entry of readdirSync(file)) if (entry !== "node_modules" && entry !== ".next") visit(path.join(file, entry));
    } else latest = Math.max(latest, stat.mtimeMs);
  };
  for (const file of paths) visit(file);
  return latest;
}

const mtime = (file: string) => (existsSync(file) ? statSync(file).mtimeMs : 0);

export interface PreparedExample {
  /** What was done (empty when everything was up to date), with seconds each. */
  steps: string[];
}

export async function prepareNextExample(log: (line: string) => void = () => {}): Promise<PreparedExample> {
  const steps: string[] = [];
  const timed = async (label: string, work: () => Promise<void>) => {
    log(`  ${label}…`);
    const started = performance.now();
    await work();
    steps.push(`${label} ${Math.round((performance.now() - started) / 1000)} s`);
  };
  // `npm install`, not `npm ci`: the registry here lacks other platforms' optional @next/swc
  // builds, which `npm ci` insists on finding (bench/lib/peers.ts).
  const installed = path.join(exampleDir, "node_modules/.package-lock.json");
  if (!existsSync(nextBin) || mtime(installed) < mtime(path.join(exampleDir, "package-lock.json"))) {
    await timed("npm install (examples/nextjs)", () =>
      run("npm", ["install", "--no-audit", "--no-fund", "--ignore-scripts", "--maxsockets=4"], { cwd: exampleDir, timeoutMs: 600_000 }),
    );
  }
  const compiled = path.join(repositoryDir, "dist/adapters/next/index.js");
  const sources = ["src", "tsconfig.json", "tsconfig.build.json", "package.json"].map((file) => path.join(repositoryDir, file));
  if (mtime(compiled) < newest(sources)) {
    await timed("tsc -p tsconfig.build.json (dist/)", () =>
      run(process.execPath, [path.join(repositoryDir, "node_modules/typescript/bin/tsc"), "-p", "tsconfig.build.json"], {
        cwd: repositoryDir,
        timeoutMs: 300_000,
      }),
    );
  }
  const buildId = path.join(exampleDir, ".next/BUILD_ID");
  const inputs = [
    path.join(repositoryDir, "dist"),
    path.join(repositoryDir, "migrations"),
    ...["app", "next.config.mjs", "tsconfig.json", "package-lock.json"].map((file) => path.join(exampleDir, file)),
  ];
  if (mtime(buildId) < newest(inputs)) {
    await timed("next build (examples/nextjs)", () =>
      run(process.execPath, [nextBin, "build"], {
        cwd: exampleDir,
        timeoutMs: 600_000,
        env: { NEXT_TELEMETRY_DISABLED: "1", NODE_ENV: "production" },
      }),
    );
  }
  return { steps };
}

if (import.meta.main) {
  const { steps } = await prepareNextExample((line) => process.stdout.write(`${line}\n`));
  process.stdout.write(steps.length > 0 ? `done: ${steps.join(", ")}\n` : "examples/nextjs is up to date\n");
}
