// pg ships no types for its internals; this is the one function Backplane uses (statement-batch.ts).
declare module "pg/lib/utils.js" {
  const utils: { prepareValue(value: unknown): unknown };
  export default utils;
}
