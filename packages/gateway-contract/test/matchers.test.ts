import fc from "fast-check";
import { describe, expect, it } from "vitest";
import {
  bodyDifferences,
  bodyMatches,
  checkContract,
  findMatcherProblems,
  isUnderPointer,
  jsonDiff,
  MAX_REGEX_SUBJECT_LENGTH,
  valueMatches,
  type GatewayCase,
  type Observed,
} from "../src/index";

const RUNS = { numRuns: 300 };
const any = { $match: "any" };

/** JSON values without "$match" keys (those would be matchers, not data). */
const jsonValue = fc.jsonValue({ maxDepth: 3 }).filter((v) => !JSON.stringify(v).includes('"$match"'));
const jsonBody = fc.dictionary(fc.string({ maxLength: 6 }).filter((k) => k !== "__proto__"), jsonValue, { maxKeys: 5 });

/** Every leaf pointer of a JSON value (a leaf: a scalar, an empty object or array). */
function leafPointers(value: unknown, pointer = ""): string[] {
  if (typeof value !== "object" || value === null) return [pointer];
  const entries = Object.entries(value);
  if (entries.length === 0) return [pointer];
  return entries.flatMap(([k, v]) => leafPointers(v, `${pointer}/${k.replace(/~/g, "~0").replace(/\//g, "~1")}`));
}

/** A copy of `value` with the value at `pointer` replaced. */
function replaceAt(value: unknown, pointer: string, replacement: unknown): unknown {
  if (pointer === "") return replacement;
  const copy = structuredClone(value) as Record<string, unknown>;
  const tokens = pointer.slice(1).split("/").map((t) => t.replace(/~1/g, "/").replace(/~0/g, "~"));
  let node: Record<string, unknown> = copy;
  for (const token of tokens.slice(0, -1)) node = node[token] as Record<string, unknown>;
  Object.defineProperty(node, tokens.at(-1) as string, { value: replacement, enumerable: true, writable: true, configurable: true });
  return copy;
}

function v2Case(expected: Partial<GatewayCase["expected"]>): GatewayCase {
  return {
    schema_version: 2,
    case_id: "c",
    method: "GET",
    endpoint: "/v1/x",
    actor_id: "ops",
    body: null,
    simulate_retryable_failure: false,
    expected: { outcome: "success", status_code: 200, response_body: {}, ...expected },
  };
}

const observedBody = (response_body: unknown): Observed => ({ outcome: "success", status_code: 200, error_code: "", response_body });

describe("valueMatches", () => {
  it.each([
    ["any", null, true],
    ["any", undefined, false],
    ["string", "", true],
    ["string", 1, false],
    ["number", 1.5, true],
    ["number", "1", false],
    ["integer", 3, true],
    ["integer", 3.5, false],
    ["boolean", false, true],
    ["boolean", 0, false],
    ["uuid", "0b7c8e52-6a7f-4d1e-9c1a-2f0b7e3d9a11", true],
    ["uuid", "0B7C8E52-6A7F-4D1E-9C1A-2F0B7E3D9A11", true],
    ["uuid", "0b7c8e52-6a7f-4d1e-9c1a-2f0b7e3d9a1", false],
    ["iso8601", "2026-11-30", true],
    ["iso8601", "2026-11-30T09:20:07Z", true],
    ["iso8601", "2026-11-30T09:20:07.123+01:00", true],
    ["iso8601", "2026-02-30", false],
    ["iso8601", "2026-11-30 09:20", false],
    ["iso8601", 20261130, false],
    ["regex:v[0-9]+", "v12", true],
    ["regex:v[0-9]+", "xv12", false],
    ["regex:v[0-9]+", 12, false],
  ])("%s against %j is %s", (spec, value, matches) => {
    expect(valueMatches(spec, value)).toBe(matches);
  });

  it("anchors a regex at both ends: the pattern describes the whole value", () => {
    expect(valueMatches("regex:[0-9]+", "123")).toBe(true);
    expect(valueMatches("regex:[0-9]+", "a123")).toBe(false);
    expect(valueMatches("regex:a|b", "ab")).toBe(false);
  });

  it("does not run a regex on a string longer than the subject cap", () => {
    expect(valueMatches("regex:a*", "a".repeat(MAX_REGEX_SUBJECT_LENGTH))).toBe(true);
    expect(valueMatches("regex:a*", "a".repeat(MAX_REGEX_SUBJECT_LENGTH + 1))).toBe(false);
  });
});

describe("findMatcherProblems", () => {
  it("names the pointer of an unknown matcher and lists the known ones", () => {
    expect(findMatcherProblems({ meta: { id: { $match: "uuidv4" } } })).toEqual([
      { pointer: "/meta/id", message: expect.stringContaining('unknown matcher "uuidv4"; use one of any, string, number') },
    ]);
  });

  it("rejects an invalid regex, an empty one and a nested quantifier", () => {
    const problems = findMatcherProblems({ a: { $match: "regex:([a-z" }, b: { $match: "regex:" }, c: [{ $match: "regex:(a+)+$" }] });
    expect(problems.map((p) => p.pointer)).toEqual(["/a", "/b", "/c/0"]);
    expect(problems[0]?.message).toContain("is not a valid regular expression");
    expect(problems[1]?.message).toContain("empty pattern");
    expect(problems[2]?.message).toContain("backtrack catastrophically");
  });

  it("rejects a matcher object with other keys and a non-string $match", () => {
    const problems = findMatcherProblems({ a: { $match: "any", also: 1 }, b: { $match: 3 } });
    expect(problems[0]?.message).toContain('must hold only "$match"');
    expect(problems[1]?.message).toContain('"$match" must be a string');
  });

  it("reports a repeated bad spec at every place, in every body (specs are judged once and remembered)", () => {
    const body = { a: { $match: "uuidv4" }, b: [{ $match: "uuidv4" }], c: { $match: "string" } };
    for (let i = 0; i < 3; i++) expect(findMatcherProblems(body).map((p) => p.pointer)).toEqual(["/a", "/b/0"]);
    expect(findMatcherProblems({ x: { $match: "uuidv4", also: true } })[0]?.message).toContain('must hold only "$match"');
  });

  it("finds nothing in a body of valid matchers", () => {
    expect(findMatcherProblems({ id: { $match: "uuid" }, at: { $match: "iso8601" }, v: { $match: "regex:^v\\d+$" } })).toEqual([]);
  });
});

describe("bodyDifferences", () => {
  it("accepts a volatile value through its matcher and reports one that breaks it", () => {
    const expected = { id: { $match: "uuid" }, status: "accepted" };
    expect(bodyDifferences(expected, { id: "0b7c8e52-6a7f-4d1e-9c1a-2f0b7e3d9a11", status: "accepted" })).toEqual([]);
    expect(bodyDifferences(expected, { id: "42", status: "accepted" })).toEqual([{ pointer: "/id", expected: { $match: "uuid" }, observed: "42" }]);
    expect(bodyDifferences(expected, { status: "accepted" })).toEqual([{ pointer: "/id", expected: { $match: "uuid" } }]);
  });

  it("leaves out ignored pointers and everything under them, not their siblings", () => {
    const expected = { meta: { request_id: "a", trace: { span: 1 } }, status: "x" };
    const observed = { meta: { request_id: "b", trace: { span: 2 } }, status: "y" };
    expect(bodyDifferences(expected, observed, { ignore: ["/meta"] })).toEqual([{ pointer: "/status", expected: "x", observed: "y" }]);
    expect(bodyDifferences(expected, observed, { ignore: ["/meta/trace"] }).map((d) => d.pointer)).toEqual(["/meta/request_id", "/status"]);
  });

  it("lists exactly what jsonDiff lists when there are no matchers or ignores", () => {
    fc.assert(
      fc.property(jsonBody, jsonBody, (a, b) => {
        expect(bodyDifferences(a, b)).toEqual(jsonDiff(a, b));
      }),
      RUNS,
    );
  });

  it("bodyMatches (the fast path of checkContract) agrees with bodyDifferences, with and without ignores and matchers", () => {
    const withMatchers = jsonBody.chain((body) =>
      fc.tuple(fc.constant(body), fc.subarray(leafPointers(body)), fc.constantFrom<unknown>({ $match: "any" }, { $match: "string" }, { $match: "number" }, { $match: "regex:a.*" })),
    );
    fc.assert(
      fc.property(withMatchers, jsonBody, fc.nat(), ([body, leaves, matcher], other, pick) => {
        const expected = leaves.reduce<unknown>((acc, p) => replaceAt(acc, p, matcher), body);
        const pointers = [...new Set([...leafPointers(body), ...leafPointers(other)])];
        const ignore = pick % 3 === 0 ? [] : [pointers[pick % pointers.length] as string];
        for (const observed of [body, other]) {
          expect(bodyMatches(expected, observed, new Set(ignore))).toBe(bodyDifferences(expected, observed, { ignore }).length === 0);
        }
      }),
      RUNS,
    );
  });

  it("a body always matches itself", () => {
    fc.assert(fc.property(jsonBody, (body) => bodyDifferences(body, structuredClone(body)).length === 0), RUNS);
  });

  it('replacing any leaf of the expectation by {"$match":"any"} still matches', () => {
    fc.assert(
      fc.property(
        jsonBody.chain((body) => fc.tuple(fc.constant(body), fc.constantFrom(...leafPointers(body)))),
        ([body, pointer]) => bodyDifferences(replaceAt(body, pointer, any), body).length === 0,
      ),
      RUNS,
    );
  });

  it("ignoring a pointer hides exactly the differences under it", () => {
    fc.assert(
      fc.property(
        jsonBody,
        jsonBody,
        fc.nat(),
        (a, b, pick) => {
          const pointers = [...new Set([...leafPointers(a), ...leafPointers(b)])];
          // Ignore a leaf, or its parent, of either side.
          const leaf = pointers[pick % pointers.length] as string;
          const ignored = pick % 2 === 0 ? leaf : leaf.slice(0, leaf.lastIndexOf("/"));
          const all = bodyDifferences(a, b);
          expect(bodyDifferences(a, b, { ignore: [ignored] })).toEqual(all.filter((d) => !isUnderPointer(d.pointer, ignored)));
        },
      ),
      RUNS,
    );
  });
});

describe("checkContract with a v2 case", () => {
  it("applies matchers and ignores to the response body", () => {
    const c = v2Case({ response_body: { id: { $match: "integer" }, at: "x" }, ignore: ["/at"] });
    expect(checkContract(c, observedBody({ id: 7, at: "2026-11-30" }))).toBeNull();
    expect(checkContract(c, observedBody({ id: "7", at: "y" }))?.differences).toEqual([
      { field: "response_body", pointer: "/id", expected: { $match: "integer" }, observed: "7" },
    ]);
  });

  it("marks the drift of a pending case as pending", () => {
    const c = { ...v2Case({ response_body: { a: 1 } }), pending: true };
    expect(checkContract(c, observedBody({ a: 2 }))).toMatchObject({ pending: true });
  });

  it('compares a v1 body literally: {"$match":"any"} there is data, not a matcher', () => {
    const c = { ...v2Case({ response_body: { a: { $match: "any" } } }), schema_version: 1 as const };
    expect(checkContract(c, observedBody({ a: 1 }))).not.toBeNull();
    expect(checkContract(c, observedBody({ a: { $match: "any" } }))).toBeNull();
  });
});
