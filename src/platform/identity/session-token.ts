import { createHash, randomBytes } from "node:crypto";

/** 256 random bits, base64url (43 characters): the cookie value and the mobile refresh token. */
export function generateSessionToken(): string {
  return randomBytes(32).toString("base64url");
}

/**
 * What is stored: SHA-256 (hex). A 256-bit random token cannot be guessed, so a fast unkeyed
 * hash is enough; a leaked table still gives no usable token.
 */
export function hashSessionToken(token: string): string {
  return createHash("sha256").update(token).digest("hex");
}

export const sessionTokenPattern = /^[A-Za-z0-9_-]{43}$/;
