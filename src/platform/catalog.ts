import type { Cleanup, MetricSource, ModuleDeclarations, PrivacyHandlers, ScopeDeclaration, TableDeclaration } from "./module.ts";
import { platformDeclarations } from "./platform-declarations.ts";

/** Everything the platform and the selected modules declare, checked for clashes. */
export interface Catalog {
  /** Platform first, then each module; `schema` is the declaring module's schema. */
  tables: (TableDeclaration & { schema: string; module: string })[];
  scopes: ScopeDeclaration[];
  scopeNames: string[];
  idPrefixes: Record<string, string>;
  /** The schemas the platform and the modules own (`backplane`, `biomech`, …). */
  schemas: string[];
  /** Each module's privacy exporter/eraser, platform first. */
  privacy: { module: string; handlers: PrivacyHandlers }[];
  cleanups: (Cleanup & { module: string })[];
  metricSources: (MetricSource & { module: string })[];
}

const scopeFormat = /^[a-z][a-z0-9-]*:[a-z][a-z0-9-]*$/;
const prefixFormat = /^[a-z]{2,8}$/;
const taskFormat = /^[a-z][a-z0-9_-]*\.[a-z][a-z0-9_.-]*$/;

/**
 * Gathers the platform's and the modules' declarations. A scope, id prefix or table declared
 * twice, a malformed name, or a table outside its module's schema stops boot with a message.
 */
export function catalogOf(modules: readonly ModuleDeclarations[]): Catalog {
  const catalog: Catalog = {
    tables: [],
    scopes: [],
    scopeNames: [],
    idPrefixes: {},
    schemas: [],
    privacy: [],
    cleanups: [],
    metricSources: [],
  };
  const owner = new Map<string, string>();
  const claim = (what: string, module: string) => {
    const previous = owner.get(what);
    if (previous) throw new Error(`${what} is declared by both ${previous} and ${module}`);
    owner.set(what, module);
  };
  for (const module of [platformDeclarations, ...modules]) {
    claim(`schema ${module.name}`, module.name);
    catalog.schemas.push(module.name);
    for (const table of module.tables ?? []) {
      const [schema, name, extra] = table.name.split(".");
      if (schema !== module.name || !name || extra !== undefined) {
        throw new Error(`Module ${module.name} declares table ${table.name}: tables are named ${module.name}.<table>`);
      }
      claim(`table ${table.name}`, module.name);
      catalog.tables.push({ ...table, schema, module: module.name });
    }
    for (const scope of module.scopes ?? []) {
      if (!scopeFormat.test(scope.name)) throw new Error(`Module ${module.name} declares scope "${scope.name}": scopes are noun:verb`);
      claim(`scope ${scope.name}`, module.name);
      catalog.scopes.push(scope);
      catalog.scopeNames.push(scope.name);
    }
    for (const [prefix, what] of Object.entries(module.idPrefixes ?? {})) {
      if (!prefixFormat.test(prefix)) throw new Error(`Module ${module.name} declares id prefix "${prefix}": 2–8 lowercase letters`);
      claim(`id prefix ${prefix}`, module.name);
      catalog.idPrefixes[prefix] = what;
    }
    if (module.privacy) catalog.privacy.push({ module: module.name, handlers: module.privacy });
    for (const [kind, list, into] of [
      ["cleanup", module.cleanups ?? [], catalog.cleanups],
      ["metric source", module.metricSources ?? [], catalog.metricSources],
    ] as const) {
      for (const task of list) {
        if (!taskFormat.test(task.name))
          throw new Error(`Module ${module.name} declares ${kind} "${task.name}": names are <module>.<what>`);
        claim(`${kind} ${task.name}`, module.name);
        (into as (typeof task & { module: string })[]).push({ ...task, module: module.name });
      }
    }
  }
  return catalog;
}
