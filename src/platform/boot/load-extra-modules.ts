import path from "node:path";
import { pathToFileURL } from "node:url";
import { ConfigError } from "../config/config.ts";
import type { BackplaneModule } from "../module.ts";

/**
 * Modules from files named in BACKPLANE_EXTRA_MODULES (paths relative to the working directory),
 * each default-exporting a module. This is how a deployment adds its own module without forking,
 * and how tests hand a test-only module to a worker they start as a child process.
 */
export async function loadExtraModules(paths: string[] | undefined): Promise<BackplaneModule[]> {
  const modules: BackplaneModule[] = [];
  for (const file of paths ?? []) {
    const url = pathToFileURL(path.resolve(file)).href;
    let loaded: { default?: BackplaneModule };
    try {
      loaded = await import(url);
    } catch (error) {
      throw new ConfigError(`Invalid configuration: BACKPLANE_EXTRA_MODULES: cannot load ${file}: ${(error as Error).message}`);
    }
    const module = loaded.default;
    if (!module || typeof module.name !== "string") {
      throw new ConfigError(
        `Invalid configuration: BACKPLANE_EXTRA_MODULES: ${file} must default-export a module (defineModule({ name, ... }))`,
      );
    }
    modules.push(module);
  }
  return modules;
}
