/**
 * Names for prepared statements, one per distinct statement text, shared by every connection of
 * the process. PostgreSQL then parses a statement once per connection and, after a few runs,
 * reuses its plan: a short keyset read costs its backend about half the CPU of an unnamed
 * statement parsed and planned on every run (pgbench, docs/benchmarks.md), and the trigger
 * intake's one CTE spent ~0.5 ms of its ~0.9 ms there.
 *
 * Bounded: statement texts built at run time (an IN list of varying length, say) must not grow
 * every connection's prepared set without end, so past MAX_NAMED_STATEMENTS distinct texts the
 * rest run unnamed, as before.
 */
export const MAX_NAMED_STATEMENTS = 1_000;

const names = new Map<string, string>();

export function statementName(text: string): string | undefined {
  const known = names.get(text);
  if (known !== undefined || names.size >= MAX_NAMED_STATEMENTS) return known;
  const name = `bp_${names.size.toString(36)}`;
  names.set(text, name);
  return name;
}
