import { crc32 } from "node:zlib";
import { randomChars } from "../ids.ts";

/**
 * Key format: `bp_<env>_<random><checksum>`.
 * - 24 base62 characters of randomness: 62^24 ≈ 2^142.9, over the 128 bits asked for.
 * - 6 base62 characters of CRC-32 over everything before them, so typos and truncated
 *   copies are rejected without touching the database, and secret scanners can tell a
 *   real key from look-alikes (the same scheme GitHub tokens use).
 */
const BASE62 = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";
const RANDOM_LENGTH = 24;
const CHECKSUM_LENGTH = 6; // 62^6 > 2^32
const DISPLAY_RANDOM_CHARS = 4;

export const keyEnvironments = ["live", "test"] as const;
export type KeyEnvironment = (typeof keyEnvironments)[number];

const keyShape = new RegExp(`^bp_(live|test)_([0-9A-Za-z]{${RANDOM_LENGTH}})([0-9A-Za-z]{${CHECKSUM_LENGTH}})$`);

export interface ParsedApiKey {
  environment: KeyEnvironment;
  /** Safe to show and store: identifies the key to a human, not enough to use it. */
  displayPrefix: string;
}

function base62(value: number, width: number): string {
  let out = "";
  let rest = value;
  for (let i = 0; i < width; i++) {
    out = BASE62[rest % 62] + out;
    rest = Math.floor(rest / 62);
  }
  return out;
}

function checksum(body: string): string {
  return base62(crc32(body), CHECKSUM_LENGTH);
}

/** Builds a key from given random characters (exported for the deterministic demo key). */
export function formatApiKey(environment: KeyEnvironment, random: string): string {
  if (random.length !== RANDOM_LENGTH || !/^[0-9A-Za-z]+$/.test(random)) throw new Error("random part must be 24 base62 characters");
  const body = `bp_${environment}_${random}`;
  return body + checksum(body);
}

export function generateApiKey(environment: KeyEnvironment): string {
  return formatApiKey(environment, randomChars(RANDOM_LENGTH, BASE62));
}

/** Turns bytes (e.g. an HMAC) into the random part of a key, for keys derived from a secret. */
export function randomPartFrom(bytes: Uint8Array): string {
  let out = "";
  for (const byte of bytes) {
    if (out.length === RANDOM_LENGTH) break;
    out += BASE62[byte % 62];
  }
  if (out.length < RANDOM_LENGTH) throw new Error("not enough bytes for a key");
  return out;
}

/** The shape and checksum of a presented key; null when it cannot be a Backplane key. */
export function parseApiKey(presented: string): ParsedApiKey | null {
  const match = keyShape.exec(presented);
  if (!match) return null;
  const [, environment, random, sum] = match as unknown as [string, KeyEnvironment, string, string];
  const body = `bp_${environment}_${random}`;
  if (checksum(body) !== sum) return null;
  return { environment, displayPrefix: body.slice(0, body.length - RANDOM_LENGTH + DISPLAY_RANDOM_CHARS) };
}

export function displayPrefixOf(key: string): string {
  const parsed = parseApiKey(key);
  if (!parsed) throw new Error("not a well-formed API key");
  return parsed.displayPrefix;
}
