import type { JWTPayload } from "jose";
import type { Config } from "../config/config.ts";
import { AppError } from "../http/errors.ts";
import { loadJose } from "./load-jose.ts";

/** What a verified Supabase Auth access token says about its user. */
export interface SupabaseClaims {
  issuer: string;
  /** Supabase's user id (`sub`, a UUID). */
  subject: string;
  /** Lower-cased. */
  email: string;
  /** Supabase's session (`session_id`), when the token names one. */
  sessionId: string | null;
  expiresAt: Date;
}

export interface SupabaseVerifier {
  /** True when `token` claims to be Supabase's (its `iss`): the caller then verifies it here and nowhere else. */
  claims(token: string): boolean;
  /** The claims of a valid token; null for any invalid one (signature, algorithm, expiry, issuer, audience, anonymous or no email). */
  verify(token: string, now: Date): Promise<SupabaseClaims | null>;
}

export interface SupabaseVerifierOptions {
  /** After a token names a key the cached set lacks, how soon the set may be fetched again (jose's cooldown; default 30 s). */
  jwksCooldownMs?: number;
}

// Supabase signs with its legacy shared secret (HS256) or, with asymmetric keys, ES256 or RS256.
// Anything else (`none` above all) is refused before a key is even looked at.
const ASYMMETRIC = ["ES256", "RS256"];

const verifiers = new WeakMap<Config, SupabaseVerifier | null>();

/** The deployment's verifier (one per configuration, so the JWKS cache lives as long as the process), or null when Supabase sign-in is off. */
export function supabaseVerifierFor(config: Config): SupabaseVerifier | null {
  if (!verifiers.has(config)) verifiers.set(config, createSupabaseVerifier(config));
  return verifiers.get(config) ?? null;
}

export function createSupabaseVerifier(config: Config, options: SupabaseVerifierOptions = {}): SupabaseVerifier | null {
  const issuer = config.SUPABASE_JWT_ISSUER;
  if (issuer === undefined || (config.SUPABASE_JWT_SECRET === undefined && config.SUPABASE_JWKS_URL === undefined)) return null;
  const secret = config.SUPABASE_JWT_SECRET === undefined ? null : new TextEncoder().encode(config.SUPABASE_JWT_SECRET);
  // jose caches the key set (10 minutes) and refetches it early when a token names an unknown key
  // id (a rotation), at most once per cooldown, so a flood of forged kids cannot hammer Supabase.
  // One set per verifier, made with the first token that needs it (jose is loaded lazily).
  const jwksUrl = config.SUPABASE_JWKS_URL === undefined ? null : new URL(config.SUPABASE_JWKS_URL);
  let jwks: ReturnType<Awaited<ReturnType<typeof loadJose>>["createRemoteJWKSet"]> | undefined;
  const audience = config.SUPABASE_JWT_AUDIENCE;

  return {
    claims(token) {
      // Only which verifier to use is decided here (the signature is checked by verify), so the
      // payload is read as jose's decodeJwt does, without loading jose: three parts, a JSON object.
      const parts = token.split(".");
      if (parts.length !== 3 || !parts[1]) return false;
      try {
        const payload: unknown = JSON.parse(Buffer.from(parts[1], "base64url").toString("utf8"));
        return typeof payload === "object" && payload !== null && (payload as JWTPayload).iss === issuer;
      } catch {
        return false;
      }
    },
    async verify(token, now) {
      const { createRemoteJWKSet, decodeProtectedHeader, errors, jwtVerify } = await loadJose();
      let payload: JWTPayload;
      try {
        const { alg } = decodeProtectedHeader(token);
        const common = { issuer, audience, currentDate: now, clockTolerance: 0, requiredClaims: ["exp", "sub"] };
        if (alg === "HS256" && secret) payload = (await jwtVerify(token, secret, { ...common, algorithms: ["HS256"] })).payload;
        else if (alg !== undefined && ASYMMETRIC.includes(alg) && jwksUrl) {
          jwks ??= createRemoteJWKSet(jwksUrl, {
            timeoutDuration: 5_000,
            cooldownDuration: options.jwksCooldownMs ?? 30_000,
            cacheMaxAge: 600_000,
          });
          payload = (await jwtVerify(token, jwks, { ...common, algorithms: ASYMMETRIC })).payload;
        } else return null;
      } catch (error) {
        if (error instanceof errors.JWKSTimeout) {
          throw new AppError("service_unavailable", "Supabase's signing keys could not be fetched; retry shortly", { cause: error });
        }
        if (error instanceof errors.JOSEError) return null;
        // A network failure fetching the key set: the token may be fine; say so rather than 401.
        throw new AppError("service_unavailable", "Supabase's signing keys could not be fetched; retry shortly", { cause: error });
      }
      // Only claims Supabase Auth sets are read. `user_metadata` is the user's own to edit
      // (supabase-js `updateUser({ data })`), so nothing is decided on it; and no claim says the
      // address was confirmed (see userForSupabase for what linking by email therefore refuses).
      if (payload.is_anonymous === true) return null;
      const email = typeof payload.email === "string" ? payload.email.trim().toLowerCase() : "";
      // No email (an anonymous Supabase user) means nothing to link a platform user by.
      if (!/^[^@\s]{1,64}@[^@\s]+$/.test(email) || email.length > 320) return null;
      return {
        issuer,
        subject: payload.sub as string,
        email,
        sessionId: typeof payload.session_id === "string" ? payload.session_id : null,
        expiresAt: new Date((payload.exp as number) * 1000),
      };
    },
  };
}
