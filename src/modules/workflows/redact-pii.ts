/**
 * PII redaction for workflow log rows, applied before insert. Each rule replaces what it finds
 * with a `[redacted:<kind>]` marker. Patterns are bounded (no nested quantifiers) so a hostile
 * message cannot make them backtrack for long.
 */
export interface Redacted<T> {
  value: T;
  redacted: boolean;
}

const luhn = (digits: string) => {
  let sum = 0;
  for (let i = 0; i < digits.length; i++) {
    let d = digits.charCodeAt(digits.length - 1 - i) - 48;
    if (i % 2 === 1) {
      d *= 2;
      if (d > 9) d -= 9;
    }
    sum += d;
  }
  return sum % 10 === 0;
};

// ISO 13616: move the first four characters to the end, letters to numbers, mod 97 must be 1.
const ibanValid = (iban: string) => {
  const moved = iban.slice(4) + iban.slice(0, 4);
  let remainder = 0;
  for (const ch of moved) {
    const value = /[0-9]/.test(ch) ? ch : String(ch.charCodeAt(0) - 55);
    for (const digit of value) remainder = (remainder * 10 + Number(digit)) % 97;
  }
  return remainder === 1;
};

type Rule = {
  kind: string;
  pattern: RegExp;
  keep?: (match: string, ...groups: string[]) => boolean;
  replace?: (match: string, ...groups: string[]) => string;
};

const rules: Rule[] = [
  // Credentials first, so an email-like or digit run inside a token is not half-replaced.
  { kind: "jwt", pattern: /\beyJ[A-Za-z0-9_-]{5,}\.[A-Za-z0-9_-]{5,}\.[A-Za-z0-9_-]{5,}\b/g },
  { kind: "api_key", pattern: /\b(?:bp_(?:live|test)_[A-Za-z0-9]{16,64}|trg_[A-Za-z0-9]{16,64}|whsec_[A-Za-z0-9+/=]{16,100})\b/g },
  { kind: "bearer", pattern: /\b(Bearer)\s+[A-Za-z0-9._~+/-]{8,}=*/gi, replace: (_m, word) => `${word} [redacted:token]` },
  { kind: "email", pattern: /\b[A-Za-z0-9._%+-]{1,64}@[A-Za-z0-9-]{1,63}(?:\.[A-Za-z0-9-]{1,63}){0,8}\.[A-Za-z]{2,24}\b/g },
  {
    kind: "iban",
    pattern: /\b[A-Z]{2}[0-9]{2}(?: ?[A-Z0-9]{4}){2,7}(?: ?[A-Z0-9]{1,4})?\b/g,
    keep: (match) => !ibanValid(match.replace(/ /g, "")),
  },
  {
    // 13-19 digits, optionally grouped by spaces or dashes; only a Luhn-valid number is a card
    // (so order and tracking numbers survive).
    kind: "card",
    pattern: /\b[0-9](?:[ -]?[0-9]){12,18}\b/g,
    keep: (match) => !luhn(match.replace(/[ -]/g, "")),
  },
  {
    kind: "passport",
    pattern: /\b(passport(?:[ _-]?(?:no|number|num|#))?)(["']?\s*[:=#]?\s*["']?)((?=[A-Z]{0,8}[0-9])[A-Z0-9]{6,9})\b/gi,
    replace: (_m, label, separator) => `${label}${separator}[redacted:passport]`,
  },
  {
    // E.164 (+ and 8-15 digits, spaces/dashes/dots/brackets allowed between) and common national
    // forms: (555) 123-4567, 555-123-4567, 020 7946 0958, 06 12 34 56 78.
    kind: "phone",
    pattern: /(?<![\w+])(?:\+[1-9](?:[ .-]?\(?[0-9]\)?){7,14}|\(?0?[1-9][0-9]{0,3}\)?[ .-][0-9]{2,4}(?:[ .-][0-9]{2,4}){1,3})(?![\w])/g,
    keep: (match) => {
      const digits = match.replace(/[^0-9]/g, "");
      // A date or time (2024-05-01 12:30) is not a phone number.
      return digits.length < 9 || digits.length > 15 || /\d{4}-\d{2}-\d{2}/.test(match);
    },
  },
];

export function redactText(text: string): Redacted<string> {
  let redacted = false;
  let out = text;
  for (const rule of rules) {
    out = out.replace(rule.pattern, (match: string, ...rest: unknown[]) => {
      const groups = rest.filter((item): item is string => typeof item === "string");
      if (rule.keep?.(match, ...groups)) return match;
      redacted = true;
      return rule.replace ? rule.replace(match, ...groups) : `[redacted:${rule.kind}]`;
    });
  }
  return { value: out, redacted };
}

/** Every string in a JSON value (keys kept), to a bounded depth. */
export function redactValue(value: unknown, depth = 0): Redacted<unknown> {
  if (typeof value === "string") return redactText(value);
  if (value === null || typeof value !== "object" || depth > 8) return { value, redacted: false };
  let redacted = false;
  if (Array.isArray(value)) {
    const items = value.map((item) => {
      const result = redactValue(item, depth + 1);
      redacted ||= result.redacted;
      return result.value;
    });
    return { value: items, redacted };
  }
  const out: Record<string, unknown> = {};
  for (const [key, item] of Object.entries(value)) {
    const result = redactValue(item, depth + 1);
    redacted ||= result.redacted;
    out[key] = result.value;
  }
  return { value: out, redacted };
}
