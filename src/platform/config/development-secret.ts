import { randomBytes } from "node:crypto";
import { mkdirSync, readFileSync, writeFileSync } from "node:fs";
import path from "node:path";

/** The file, inside the data folder, that keeps this install's development secret. */
export const DEVELOPMENT_SECRET_FILE = "backplane-secret";

/** 32 random bytes: each install signs and digests with its own secret, never a shared constant. */
export function randomSecret(): string {
  return randomBytes(32).toString("base64url");
}

/**
 * The development secret of the install whose data lives in `dataDir`: read, or made and kept
 * (mode 0600) on first start, so keys and cursors stay valid across restarts. Two processes
 * starting at once agree: only one file creation wins (`wx`), the other reads it.
 */
export function developmentSecretIn(dataDir: string): string {
  const file = path.join(dataDir, DEVELOPMENT_SECRET_FILE);
  for (let attempt = 0; attempt < 3; attempt++) {
    try {
      const stored = readFileSync(file, "utf8").trim();
      if (stored.length >= 32) return stored;
      // A file being written by another process reads empty for a moment.
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== "ENOENT") throw error;
      mkdirSync(dataDir, { recursive: true });
      try {
        const secret = randomSecret();
        writeFileSync(file, `${secret}\n`, { flag: "wx", mode: 0o600 });
        return secret;
      } catch (writeError) {
        if ((writeError as NodeJS.ErrnoException).code !== "EEXIST") throw writeError;
      }
    }
  }
  throw new Error(`${file} does not hold a secret of at least 32 characters; delete it to make a new one, or set BACKPLANE_SECRET`);
}
