/**
 * The console's policy: its own script and stylesheet only, nothing inline, no eval, forms may
 * post only here, no framing. A page that needed more would fail loudly in the browser test.
 */
export const adminContentSecurityPolicy = [
  "default-src 'none'",
  "script-src 'self'",
  "style-src 'self'",
  "img-src 'self'",
  "connect-src 'self'",
  "form-action 'self'",
  "base-uri 'none'",
  "frame-ancestors 'none'",
].join("; ");

/** Every console page: the policy, and never cached (a new key's secret is in one). */
export const adminPageHeaders = {
  "content-security-policy": adminContentSecurityPolicy,
  "cache-control": "no-store",
};
