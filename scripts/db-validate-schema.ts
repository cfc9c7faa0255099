// Seed 002 §8's schema validation script: the same check as `backplane db:validate [--json]`,
// for CI steps that call a script. Reads DATABASE_URL like every command.
import { main } from "../src/cli.ts";

await main([process.argv[0] as string, "backplane", "db:validate", ...process.argv.slice(2)]);
