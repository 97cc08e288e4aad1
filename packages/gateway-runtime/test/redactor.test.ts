import { describe, expect, it } from "vitest";
import { backoffDelayMs, createRedactor, MAX_TIMER_MS, parseRetryAfter, printableText, redactUrlUserinfo, resolveSettings, targetSecrets } from "../src";

describe("createRedactor", () => {
  const redactor = createRedactor(["Bearer S3CR3T-value", "x\"y"]);

  it("replaces each secret, its JSON-escaped form and the credential without its scheme", () => {
    expect(redactor.text("auth=Bearer S3CR3T-value; token=S3CR3T-value; q=x\\\"y")).toBe("auth=***; token=***; q=***");
  });

  it("redacts every string and key of a JSON value, keeping __proto__ a field, and returns untouched values as they are", () => {
    const body = JSON.parse('{"S3CR3T-value": ["a S3CR3T-value b", 1, null], "__proto__": "S3CR3T-value", "ok": {"n": 2}}');
    const out = redactor.value(body) as Record<string, unknown>;
    expect(JSON.stringify(out)).toBe('{"***":["a *** b",1,null],"__proto__":"***","ok":{"n":2}}');
    expect(out.ok).toBe(body.ok);
    const clean = { a: "b" };
    expect(redactor.value(clean)).toBe(clean);
  });

  it("ignores strings under 4 characters, which would mask ordinary numbers and words", () => {
    expect(createRedactor(["1", "abc"]).text("applied=1 abc")).toBe("applied=1 abc");
    expect(createRedactor(["Bearer S"]).text("bad token Bearer S, S")).toBe("bad token ***, S");
  });

  it("does nothing without secrets", () => {
    const none = createRedactor(["", ""]);
    expect(none.active).toBe(false);
    expect(none.text("Bearer x")).toBe("Bearer x");
  });
});

describe("target secrets", () => {
  it("takes header values and URL userinfo, decoded and as the Basic credential, but not a bare user name", () => {
    const secrets = targetSecrets({ targetUrl: "http://ops:p%40ss@gw.example:8080/v1", headers: { "X-Api-Key": " k-123 " } });
    expect(secrets).toEqual(expect.arrayContaining(["k-123", "ops:p%40ss", "ops:p@ss", Buffer.from("ops:p@ss").toString("base64"), "p%40ss", "p@ss"]));
    expect(secrets).not.toContain("ops");
  });

  it("hides the userinfo of a URL that does not even parse", () => {
    expect(redactUrlUserinfo("http://user:pw@127.0.0.1:99999/")).toBe("http://***@127.0.0.1:99999/");
    expect(redactUrlUserinfo("http://127.0.0.1:1/a@b")).toBe("http://127.0.0.1:1/a@b");
  });
});

describe("printableText", () => {
  it("escapes ANSI escapes, line breaks, C1 controls and bidi overrides", () => {
    expect(printableText("a\u001b[31mb\nc\u009bd\u202ee")).toBe("a\\u001b[31mb\\nc\\u009bd\\u202ee");
    expect(printableText("line 1\nline\u0007 2", { multiline: true })).toBe("line 1\nline\\u0007 2");
    expect(printableText("plain é 𝄞")).toBe("plain é 𝄞");
  });
});

describe("timer bounds (behavior.md §10)", () => {
  it("never asks for a wait longer than a timer holds, whatever the inputs", () => {
    const huge = { attempt: 1_000_000_000, baseDelayMs: Number.MAX_SAFE_INTEGER, maxDelayMs: Number.MAX_SAFE_INTEGER, jitter: false };
    expect(backoffDelayMs(huge)).toBe(MAX_TIMER_MS);
    expect(backoffDelayMs({ ...huge, retryAfterMs: 999_999_999_000 })).toBe(MAX_TIMER_MS);
    expect(backoffDelayMs({ ...huge, retryAfterMs: Number.NaN })).toBe(0);
  });

  it.each(["retryBaseDelayMs", "retryMaxDelayMs"] as const)("refuses %s past 2^31 - 1", (name) => {
    expect(() => resolveSettings({ [name]: 2 ** 31 })).toThrow(`${name} must be at most 2147483647`);
    expect(resolveSettings({ [name]: MAX_TIMER_MS })[name]).toBe(MAX_TIMER_MS);
  });

  it("clamps Retry-After to the max delay", () => {
    const retryAfterMs = parseRetryAfter("999999999", 0);
    expect(retryAfterMs).toBe(MAX_TIMER_MS);
    expect(backoffDelayMs({ attempt: 1, baseDelayMs: 0, maxDelayMs: 30_000, jitter: false, retryAfterMs })).toBe(30_000);
    expect(parseRetryAfter("9".repeat(400), 0)).toBe(MAX_TIMER_MS);
  });
});
