import { randomInt } from "node:crypto";

const alphabet = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";

/** A WatermelonDB-style id (16 of [0-9A-Za-z]) for a synced row the server creates. */
export function newSyncId(): string {
  let id = "";
  for (let i = 0; i < 16; i++) id += alphabet[randomInt(alphabet.length)];
  return id;
}

/** Ids a pushed record may carry: WatermelonDB's default format, or a custom generator's `_ . -` (its sync protocol's safe set). */
export const syncIdPattern = /^[0-9A-Za-z_.-]{1,64}$/;
