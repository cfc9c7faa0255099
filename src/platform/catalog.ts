import type { ModuleDeclarations, ScopeDeclaration, TableDeclaration } from "./module.ts";
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
}

const scopeFormat = /^[a-z][a-z0-9-]*:[a-z][a-z0-9-]*$/;
const prefixFormat = /^[a-z]{2,8}$/;

/**
 * Gathers the platform's and the modules' declarations. A scope, id prefix or table declared
 * twice, a malformed name, or a table outside its module's schema stops boot with a message.
 */
export function catalogOf(modules: readonly ModuleDeclarations[]): Catalog {
  const catalog: Catalog = { tables: [], scopes: [], scopeNames: [], idPrefixes: {}, schemas: [] };
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
  }
  return catalog;
}
