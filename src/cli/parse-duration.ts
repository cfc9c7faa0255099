import { CliError } from "./command-kit.ts";

const units: Record<string, number> = { s: 1, m: 60, h: 3600, d: 86_400, w: 604_800 };

/** "30d", "24h", "15m", "90s", "2w" or "0" → seconds. */
export function parseDuration(text: string, flag: string): number {
  const match = /^(\d+)\s*([smhdw])?$/.exec(text.trim());
  if (!match) throw new CliError(`${flag}: expected a duration such as 30d, 24h, 15m or 90s (got "${text}")`);
  const amount = Number(match[1]);
  if (amount !== 0 && !match[2]) throw new CliError(`${flag}: add a unit (s, m, h, d, w) to ${text}`);
  return amount * (units[match[2] ?? "s"] ?? 1);
}
