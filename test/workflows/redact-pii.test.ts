import { describe, expect, it } from "vitest";
import { redactText, redactValue } from "../../src/modules/workflows/redact-pii.ts";

// [input, what must be gone (or null: nothing may change)]
const redacted: [string, string][] = [
  ["contact jo@example.com today", "jo@example.com"],
  ["Jo.Bloggs+tag@mail.example.co.uk wrote", "Jo.Bloggs+tag@mail.example.co.uk"],
  ["<first_last@sub-domain.example.org>", "first_last@sub-domain.example.org"],
  ["call +14155550123 now", "+14155550123"],
  ["call +44 20 7946 0958", "+44 20 7946 0958"],
  ["phone: +33 6 12 34 56 78", "+33 6 12 34 56 78"],
  ["us (415) 555-0123 office", "(415) 555-0123"],
  ["us 415-555-0123 cell", "415-555-0123"],
  ["uk 020 7946 0958 desk", "020 7946 0958"],
  ["fr 06 12 34 56 78 portable", "06 12 34 56 78"],
  ["de +49 30 901820", "+49 30 901820"],
  ["card 4111 1111 1111 1111 exp 12/30", "4111 1111 1111 1111"],
  ["card 4111-1111-1111-1111", "4111-1111-1111-1111"],
  ["pan=5555555555554444;", "5555555555554444"],
  ["amex 378282246310005", "378282246310005"],
  ["iban DE89 3704 0044 0532 0130 00 please", "DE89 3704 0044 0532 0130 00"],
  ["iban GB82WEST12345698765432", "GB82WEST12345698765432"],
  ["FR1420041010050500013M02606", "FR1420041010050500013M02606"],
  ["passport: X1234567", "X1234567"],
  ['{"passport_number":"K98765432"}', "K98765432"],
  ["Passport No 123456789", "123456789"],
  ["key bp_live_AbCdEfGhIjKlMnOpQrStUvWxYz0123 leaked", "bp_live_AbCdEfGhIjKlMnOpQrStUvWxYz0123"],
  ["test key bp_test_0123456789abcdefghijABCDEFGHIJ", "bp_test_0123456789abcdefghijABCDEFGHIJ"],
  ["trigger trg_9fK2mQ7xLp3vN8sR1tY6wZ4bC0dE5gH", "trg_9fK2mQ7xLp3vN8sR1tY6wZ4bC0dE5gH"],
  [
    "jwt eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.eyJzdWIiOiIxMjM0NTY3ODkwIn0.dozjgNryP4J3jVmNHl0w5N_XgL0n3I9PlFUP0THsR8U end",
    "eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.eyJzdWIiOiIxMjM0NTY3ODkwIn0.dozjgNryP4J3jVmNHl0w5N_XgL0n3I9PlFUP0THsR8U",
  ],
  ["Authorization: Bearer abc.def-ghi_jkl~mno123", "abc.def-ghi_jkl~mno123"],
  ["secret whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw", "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw"],
];

// Near misses: must come out unchanged.
const untouched: string[] = [
  "order 1234567890123 shipped", // 13 digits, fails Luhn
  "tracking 4111111111111112", // card-like but not Luhn-valid
  "invoice INV-2024-000123",
  "version 1.2.3.4 released",
  "ip 192.168.1.20 responded",
  "at 2024-05-01 12:30:45",
  "user@localhost is not an address we redact",
  "just an @mention here",
  "price 1 234 567 EUR",
  "order #12345",
  "GB82 is a prefix, not an IBAN",
  "DE00 3704 0044 0532 0130 00 bad checksum",
  "passport office opens at 9",
  "bp_live_short",
  "the Bearer of good news",
  "eyJ is how base64 JSON starts",
  "short 555-1234",
  "zip 94105",
  "uuid 550e8400-e29b-41d4-a716-446655440000",
  "run_2b4d6f8h0j2l4n6p8r0t finished in 1234 ms",
];

describe("PII redaction", () => {
  it(`has a corpus of at least 40 strings (${redacted.length + untouched.length})`, () => {
    expect(redacted.length + untouched.length).toBeGreaterThanOrEqual(40);
  });

  it.each(redacted)("redacts %s", (input, secret) => {
    const result = redactText(input);
    expect(result.redacted).toBe(true);
    expect(result.value).not.toContain(secret);
    expect(result.value).toContain("[redacted");
  });

  it.each(untouched)("leaves %s alone", (input) => {
    expect(redactText(input)).toEqual({ value: input, redacted: false });
  });

  it("walks JSON values, keeping keys and structure", () => {
    const result = redactValue({ user: { email: "a@b.io", tags: ["+14155550123", "ok"] }, count: 3 });
    expect(result).toEqual({ value: { user: { email: "[redacted:email]", tags: ["[redacted:phone]", "ok"] }, count: 3 }, redacted: true });
  });

  it("stays fast on hostile input (no catastrophic backtracking)", () => {
    const started = performance.now();
    redactText(`${"1 ".repeat(20_000)}x${"a".repeat(20_000)}@${"b-".repeat(5_000)}`);
    expect(performance.now() - started).toBeLessThan(1000);
  });
});
