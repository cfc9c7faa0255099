// jose is ~45 modules (about 40 ms of CPU to import): loaded with the first token signed or
// verified, so a process that never sees one (a worker, an API key client) never pays for it.
let loaded: Promise<typeof import("jose")> | undefined;

export function loadJose(): Promise<typeof import("jose")> {
  loaded ??= import("jose");
  return loaded;
}
