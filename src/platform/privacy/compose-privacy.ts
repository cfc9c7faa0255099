import type { PrivacyHandlers } from "../module.ts";

/**
 * One module's handlers made of several parts (the platform's identity and audit): the export
 * nests each part under its name; the erase runs the parts in the order given and prefixes counts.
 */
export function composePrivacy(parts: Record<string, PrivacyHandlers>): PrivacyHandlers {
  return {
    async export(tx, subject) {
      const bundle: Record<string, unknown> = {};
      for (const [name, part] of Object.entries(parts)) bundle[name] = await part.export(tx, subject);
      return bundle;
    },
    async erase(tx, subject) {
      const counts: Record<string, number> = {};
      for (const [name, part] of Object.entries(parts)) {
        for (const [kind, count] of Object.entries(await part.erase(tx, subject))) counts[`${name}.${kind}`] = count;
      }
      return counts;
    },
  };
}
