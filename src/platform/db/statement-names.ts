import { createHash } from "node:crypto";

/**
 * Prepared statements, by choice. `prepared(text)` marks a statement text as worth preparing: on
 * PostgreSQL each connection then parses it once and, after a few runs, reuses its plan. A short
 * keyset read costs its backend about half the CPU of an unnamed statement parsed and planned on
 * every run (pgbench, docs/benchmarks.md), and the trigger intake's one CTE spent ~0.5 ms of its
 * ~0.9 ms there.
 *
 * Opt-in, for module-level hot statements with explicit columns: a text built at run time (the
 * audit listing's filters make 1,152 of them) would fill every connection's prepared set, and a
 * prepared `SELECT *` / `RETURNING *` fails ("cached plan must not change result type") once a
 * migration adds a column under a running process. MAX_NAMED_STATEMENTS is the backstop if a
 * marked text is built at run time after all: past it, marked texts run unnamed.
 */
export const MAX_NAMED_STATEMENTS = 200;

const names = new Map<string, string>();

/** Marks `text` to be prepared (where the database allows it) and returns it unchanged. */
export function prepared(text: string): string {
  if (!names.has(text) && names.size < MAX_NAMED_STATEMENTS) {
    // Named by content, so a name means the same statement in every process.
    names.set(text, `bp_${createHash("sha256").update(text).digest("base64url").slice(0, 22)}`);
  }
  return text;
}

/** The prepared statement name of a marked text; undefined for any other. */
export function statementName(text: string): string | undefined {
  return names.get(text);
}
