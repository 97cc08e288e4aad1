import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { ERROR_CODES, OUTCOMES, SUPPORTED_METHODS } from "../src/capabilities";
import { fixtureSchema } from "../src/fixture-schema";
import { fixtureSchemaV2 } from "../src/fixture-schema-v2";
import { parsePlainFixture } from "../src/plain-fixture";
import { FIXTURES_DIR } from "./helpers/paths";

/** Every own key of every object, in order, recursively (toEqual ignores key order and undefined-valued keys). */
function shape(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(shape);
  if (typeof value !== "object" || value === null) return Object.is(value, -0) ? "-0" : value;
  return Object.keys(value).map((k) => [k, shape((value as Record<string, unknown>)[k])]);
}

const zodParse = (value: unknown) =>
  typeof value === "object" && value !== null && (value as { schema_version?: unknown }).schema_version === 2
    ? fixtureSchemaV2.safeParse(value)
    : fixtureSchema.safeParse(value);

/**
 * The fast path answers only for fixtures zod accepts, with exactly zod's output, and never
 * changes its input. Returns whether it answered.
 */
function expectFastAgreesWithZod(value: unknown): boolean {
  const before = shape(value);
  const fast = parsePlainFixture(value);
  expect(shape(value)).toEqual(before);
  const slow = zodParse(value);
  if (fast === undefined) return false;
  expect(slow.success, `fast path accepted what zod refuses: ${JSON.stringify(slow.error?.issues)}`).toBe(true);
  expect(shape(fast)).toEqual(shape(slow.data));
  expect(JSON.stringify(fast)).toBe(JSON.stringify(slow.data));
  // Like zod's output, it shares no case or expected object with the input (bodies pass through).
  const input = (value as { cases: Record<string, unknown>[] }).cases;
  fast.cases.forEach((c, i) => {
    expect(c).not.toBe(input[i]);
    if (c.expected !== undefined) expect(c.expected).not.toBe(input[i]?.expected);
  });
  return true;
}

const successCase = (n: number, over: Record<string, unknown> = {}) => ({
  schema_version: 1,
  case_id: `case-${n}`,
  method: "POST",
  endpoint: `/v1/tasks/${n}`,
  actor_id: `actor-${n % 3}`,
  body: { task: "summarize", n },
  expected: { outcome: "success", status_code: 201, response_body: { status: "accepted", n } },
  ...over,
});
const fixture = (cases: unknown[], over: Record<string, unknown> = {}) => ({ schema_version: 1, name: "plain", cases, ...over });
const v2 = (cases: unknown[], over: Record<string, unknown> = {}) =>
  fixture(cases.map((c) => ({ ...(c as object), schema_version: 2 })), { schema_version: 2, ...over });

/** A value nested `levels` objects deep. */
const nested = (levels: number): Record<string, unknown> => {
  let v: Record<string, unknown> = {};
  for (let i = 1; i < levels; i++) v = { v };
  return v;
};

describe("parsePlainFixture", () => {
  it("answers for every valid shared fixture, with zod's output", () => {
    let answered = 0;
    for (const file of readdirSync(FIXTURES_DIR).filter((f) => f.endsWith(".json"))) {
      let value: unknown;
      try {
        value = JSON.parse(readFileSync(join(FIXTURES_DIR, file), "utf8"));
      } catch {
        continue;
      }
      const ok = zodParse(value).success;
      const fast = expectFastAgreesWithZod(value);
      if (ok) expect(fast, file).toBe(true);
      if (fast) answered++;
    }
    expect(answered).toBeGreaterThan(0);
  });

  it("answers for plainly valid fixtures of both versions, defaults filled in schema order", () => {
    const cases = [
      successCase(0),
      // Keys in another order, defaults missing, optional fields present.
      { expected: { response_body: {}, status_code: 200, outcome: "success", error_code: "" }, actor_id: "", endpoint: "/a", method: " get ", case_id: " c1 " },
      successCase(2, { body: null, simulate_retryable_failure: false }),
      successCase(3, { simulate_retryable_failure: true, expected: { outcome: "retryable_failure", status_code: 503, error_code: "gateway_backend_unavailable", response_body: {} } }),
      successCase(4, { method: "BREW", expected: { outcome: "malformed_input", status_code: 400, error_code: "gateway_invalid_request", response_body: {} } }),
      successCase(5, { body: nested(64), expected: { outcome: "success", status_code: 200, response_body: nested(64) } }),
    ];
    for (const value of [
      fixture(cases),
      fixture(cases, { $schema: "./schema.json", description: "d" }),
      { cases, name: " n ", schema_version: 1 },
      v2(cases),
      v2([...cases, { case_id: "rec", method: "GET", endpoint: "/r", actor_id: "", schema_version: 2, tags: [" x ", "y"], pending: true }]),
      v2([successCase(9, { expected: { outcome: "success", status_code: 200, response_body: { id: { $match: "uuid" }, v: { $match: "regex:^v[0-9]+$" } }, ignore: ["/meta/id", ""] } })]),
      // zod defaults a description given as undefined, and passes bodies through as they are.
      fixture([successCase(0)], { description: undefined }),
      fixture([successCase(0, { body: JSON.parse('{"__proto__":{"x":1}}') })]),
    ]) {
      expect(expectFastAgreesWithZod(value)).toBe(true);
      expect(expectFastAgreesWithZod(JSON.parse(JSON.stringify(value)))).toBe(true);
    }
  });

  const withProto = (json: string) => JSON.parse(json) as unknown;
  it.each<[string, unknown]>([
    ["not an object", []],
    ["null", null],
    ["no cases", fixture([])],
    ["cases not an array", fixture({} as unknown as unknown[])],
    ["a blank name", fixture([successCase(0)], { name: "  " })],
    ["a numeric description", fixture([successCase(0)], { description: 3 })],
    ["an undefined $schema", fixture([successCase(0)], { $schema: undefined })],
    ["schema_version 3", fixture([successCase(0)], { schema_version: 3 })],
    ["schema_version missing", (({ schema_version: _, ...f }) => f)(fixture([successCase(0)]))],
    ["an unknown top-level key", fixture([successCase(0)], { extra: 1 })],
    ["a __proto__ top-level key", withProto(`{"__proto__":{},${JSON.stringify(fixture([successCase(0)])).slice(1)}`)],
    ["a __proto__ case key", fixture([withProto(`{"__proto__":{},${JSON.stringify(successCase(0)).slice(1)}`)])],
    ["a __proto__ key in expected", fixture([successCase(0, { expected: withProto('{"__proto__":1,"outcome":"success","status_code":200,"response_body":{}}') })])],
    ["an integer-like case key", fixture([successCase(0, { 7: "x" })])],
    ["a case of v2 in a v1 fixture", fixture([successCase(0, { schema_version: 2 })])],
    ["a case with tags in a v1 fixture", fixture([successCase(0, { tags: [] })])],
    ["a duplicate id", fixture([successCase(0), successCase(1, { case_id: " case-0" })])],
    ["a clash of case keys", fixture([successCase(0, { endpoint: "/a:b", case_id: "c" }), successCase(1, { endpoint: "/a", case_id: "b:c" })])],
    ["a blank case_id", fixture([successCase(0, { case_id: " " })])],
    ["a numeric case_id", fixture([successCase(0, { case_id: 1 })])],
    ["a missing actor_id", fixture([(({ actor_id: _, ...c }) => c)(successCase(0))])],
    ["an array body", fixture([successCase(0, { body: [] })])],
    ["a string body", fixture([successCase(0, { body: "x" })])],
    ["a body nested 65 deep", fixture([successCase(0, { body: nested(65) })])],
    ["a response_body nested 65 deep", fixture([successCase(0, { expected: { outcome: "success", status_code: 200, response_body: nested(65) } })])],
    ["a response_body that is null", fixture([successCase(0, { expected: { outcome: "success", status_code: 200, response_body: null } })])],
    ["a string simulate flag", fixture([successCase(0, { simulate_retryable_failure: "false" })])],
    ["simulate without retryable", fixture([successCase(0, { simulate_retryable_failure: true })])],
    ["retryable without simulate", fixture([successCase(0, { expected: { outcome: "retryable_failure", status_code: 503, error_code: "gateway_backend_unavailable", response_body: {} } })])],
    ["an unknown outcome", fixture([successCase(0, { expected: { outcome: "ok", status_code: 200, response_body: {} } })])],
    ["a NaN status", fixture([successCase(0, { expected: { outcome: "success", status_code: Number.NaN, response_body: {} } })])],
    ["an infinite status", fixture([successCase(0, { expected: { outcome: "success", status_code: Number.POSITIVE_INFINITY, response_body: {} } })])],
    ["a fractional status", fixture([successCase(0, { expected: { outcome: "success", status_code: 200.5, response_body: {} } })])],
    ["a string status", fixture([successCase(0, { expected: { outcome: "success", status_code: "200", response_body: {} } })])],
    ["a 3xx success", fixture([successCase(0, { expected: { outcome: "success", status_code: 302, response_body: {} } })])],
    ["an error_code on success", fixture([successCase(0, { expected: { outcome: "success", status_code: 200, error_code: "gateway_invalid_request", response_body: {} } })])],
    ["an undefined error_code", fixture([successCase(0, { expected: { outcome: "success", status_code: 200, error_code: undefined, response_body: {} } })])],
    ["a null error_code", fixture([successCase(0, { expected: { outcome: "success", status_code: 200, error_code: null, response_body: {} } })])],
    ["an unknown error_code", fixture([successCase(0, { expected: { outcome: "malformed_input", status_code: 400, error_code: "nope", response_body: {} } })])],
    ["an unsupported method", fixture([successCase(0, { method: "BREW" })])],
    ["an unknown key in expected", fixture([successCase(0, { expected: { outcome: "success", status_code: 200, response_body: {}, ignore: [] } })])],
    ["a missing expected (v1)", fixture([(({ expected: _, ...c }) => c)(successCase(0))])],
    ["blank tags (v2)", v2([successCase(0, { tags: [" "] })])],
    ["tags not strings (v2)", v2([successCase(0, { tags: [1] })])],
    ["a string pending flag (v2)", v2([successCase(0, { pending: "yes" })])],
    ["an invalid matcher (v2)", v2([successCase(0, { expected: { outcome: "success", status_code: 200, response_body: { a: { $match: "nope" } } } })])],
    ["an invalid ignore pointer (v2)", v2([successCase(0, { expected: { outcome: "success", status_code: 200, response_body: {}, ignore: ["a"] } })])],
    ["an undefined expected (v2)", v2([successCase(0, { expected: undefined })])],
    ["a v1 case in a v2 fixture", fixture([successCase(0)], { schema_version: 2 })],
  ])("leaves %s to zod", (_, value) => {
    expect(expectFastAgreesWithZod(value)).toBe(false);
  });

  // Thousands of generated fixtures: seconds of CPU, far more on a CI machine running every package at once.
  it("agrees with zod on arbitrary fixtures, valid and broken", { timeout: 120_000 }, () => {
    const anyValue = fc.oneof(
      fc.constantFrom(undefined, null, true, false, 0, -0, 1.5, Number.NaN, Number.POSITIVE_INFINITY, 2 ** 53, "", " ", "__proto__", [], {}),
      fc.string({ maxLength: 4 }),
      fc.integer(),
      fc.jsonValue({ maxDepth: 2 }),
    );
    // Mostly valid (so the fast path answers often), with every kind of breakage mixed in.
    const mostly = <A, B>(valid: fc.Arbitrary<A>, broken: fc.Arbitrary<B>): fc.Arbitrary<A | B> =>
      fc.oneof({ arbitrary: valid as fc.Arbitrary<A | B>, weight: 15 }, { arbitrary: broken as fc.Arbitrary<A | B>, weight: 1 });
    const caseArb = fc
      .record({
        n: fc.nat(20),
        version: mostly(fc.constant(1), fc.constantFrom(2, "1")),
        outcome: mostly(fc.constantFrom(...OUTCOMES), fc.constant("ok")),
        coherent: mostly(fc.constant(true), fc.constant(false)),
        method: mostly(fc.constantFrom(...SUPPORTED_METHODS, "get", " Put "), fc.constantFrom("BREW", "", 1)),
        endpoint: mostly(fc.constantFrom("/a", " /x "), fc.constantFrom("/a:b", "", null)),
        idPad: mostly(fc.constantFrom("", " "), fc.constant(":b")),
        status: fc.constantFrom(200, 201, 299, 302, 400, 503, 200.5, -0, Number.NaN, "200"),
        errorCode: fc.constantFrom(undefined, "", ...ERROR_CODES, "nope", null),
        simulate: fc.constantFrom(undefined, true, false, "true"),
        body: mostly(fc.constantFrom(undefined, null, {}, { a: [1, { b: null }] }, nested(64)), fc.constantFrom([], "x", nested(65))),
        tags: mostly(fc.constantFrom(undefined, [], ["a"]), fc.constantFrom([" "], [1], "a")),
        pending: mostly(fc.constantFrom(undefined, true, false), fc.constant("no")),
        responseBody: mostly(fc.constantFrom({}, { s: "ok", id: { $match: "uuid" } }), fc.constantFrom({ a: { $match: "bad" } }, null, nested(65))),
        ignore: mostly(fc.constantFrom(undefined, [], ["/a"]), fc.constantFrom(["a"], [1])),
        noExpected: mostly(fc.constant(false), fc.constant(true)),
        extra: mostly(
          fc.constant({}),
          fc.dictionary(fc.constantFrom("extra", "7", "__proto__", "case_id", "actor_id", "expected", "tags"), anyValue, { minKeys: 1, maxKeys: 1 }),
        ),
        drop: mostly(fc.constant([]), fc.subarray(["schema_version", "case_id", "method", "endpoint", "actor_id", "body"], { minLength: 1, maxLength: 1 })),
        reverse: fc.boolean(),
        v2FieldsInV1: mostly(fc.constant(false), fc.constant(true)),
      })
      .map((p) => {
        // Coherent: status, error_code and the simulate flag as the outcome needs them.
        const status = !p.coherent ? p.status : p.outcome === "success" ? 200 : 503;
        const errorCode = !p.coherent ? p.errorCode : p.outcome === "success" ? (p.n % 2 ? undefined : "") : ERROR_CODES[p.n % 3];
        const simulate = !p.coherent ? p.simulate : p.outcome === "retryable_failure" ? true : [undefined, false][p.n % 2];
        const expected: Record<string, unknown> = { outcome: p.outcome, status_code: status };
        if (errorCode !== undefined) expected.error_code = errorCode;
        expected.response_body = p.responseBody;
        if (p.ignore !== undefined) expected.ignore = p.ignore;
        const c: Record<string, unknown> = {
          schema_version: p.version,
          case_id: `c${p.n}${p.idPad}`,
          method: p.outcome === "malformed_input" && p.coherent ? "BREW" : p.method,
          endpoint: p.endpoint,
          actor_id: `actor-${p.n % 2}`,
        };
        if (p.body !== undefined) c.body = p.body;
        if (simulate !== undefined) c.simulate_retryable_failure = simulate;
        // tags and pending are v2 fields: in a v1 case they are an unknown key.
        if (p.version === 2 || p.v2FieldsInV1) {
          if (p.tags !== undefined) c.tags = p.tags;
          if (p.pending !== undefined) c.pending = p.pending;
        }
        if (!p.noExpected) c.expected = p.reverse ? Object.fromEntries(Object.entries(expected).reverse()) : expected;
        for (const k of p.drop) delete c[k];
        for (const [k, v] of Object.entries(p.extra)) Object.defineProperty(c, k, { value: v, enumerable: true, writable: true, configurable: true });
        return p.reverse ? Object.fromEntries(Object.entries(c).reverse()) : c;
      });
    const fixtureArb = fc.record({
      version: mostly(fc.constantFrom(1, 2), fc.constantFrom("1", 3)),
      name: mostly(fc.constant("f"), fc.constantFrom(" ", 1)),
      description: mostly(fc.constantFrom(undefined, "", "d"), fc.constant(3)),
      $schema: mostly(fc.constantFrom(undefined, "s.json"), fc.constant(1)),
      cases: fc.array(caseArb, { maxLength: 4 }),
      uniqueIds: mostly(fc.constant(true), fc.constant(false)),
    }).map((p) => {
      const f: Record<string, unknown> = {};
      if (p.$schema !== undefined) f.$schema = p.$schema;
      f.schema_version = p.version;
      f.name = p.name;
      if (p.description !== undefined) f.description = p.description;
      // A v2 fixture's cases mostly declare v2, so that valid v2 fixtures come up too.
      f.cases = p.version === 2 ? p.cases.map((c) => (c.schema_version === 1 ? { ...c, schema_version: 2 } : c)) : p.cases;
      if (p.uniqueIds) f.cases = (f.cases as Record<string, unknown>[]).map((c, i) => (typeof c.case_id === "string" ? { ...c, case_id: `${c.case_id}-${i}` } : c));
      return f;
    });
    let answered = 0;
    fc.assert(
      fc.property(fixtureArb, (value) => {
        if (expectFastAgreesWithZod(value)) answered++;
        const text = JSON.stringify(value);
        if (text !== undefined) expectFastAgreesWithZod(JSON.parse(text));
      }),
      { numRuns: 3000 },
    );
    // The property must also exercise the fast path's answers, not only its refusals.
    expect(answered).toBeGreaterThan(300);
  });
});
