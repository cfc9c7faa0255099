import { ConfigError } from "../config/config.ts";
import type { BackplaneModule } from "../module.ts";

/** The modules `BACKPLANE_MODULES` turns on (all when unset); an unknown name is a config error. */
export function selectModules(available: BackplaneModule[], wanted: string[] | undefined): BackplaneModule[] {
  if (!wanted) return available;
  const known = new Set(available.map((module) => module.name));
  const unknown = wanted.filter((name) => !known.has(name));
  if (unknown.length > 0) {
    throw new ConfigError(
      `Invalid configuration: BACKPLANE_MODULES names unknown module(s) ${unknown.join(", ")} (known: ${[...known].join(", ") || "none"})`,
    );
  }
  return available.filter((module) => wanted.includes(module.name));
}
