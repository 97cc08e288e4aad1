import fc from "fast-check";
import { describe, expect, it } from "vitest";
import {
  ERROR_CODES,
  FixtureError,
  parseFixture,
  safeParseFixture,
  SUPPORTED_METHODS,
  type FixtureInput,
} from "../src/index";

const SOURCE = "property.json";
const RUNS = { numRuns: 300 };

type JsonRecord = Record<string, unknown>;
const isRecord = (value: unknown): value is JsonRecord =>
  typeof value === "object" && value !== null && !Array.isArray(value);
/** Plain, normal-prototype JSON data, as a file would hold it. */
const viaJson = <T>(value: T): T => JSON.parse(JSON.stringify(value)) as T;

// ---------------------------------------------------------------------------------------------
// Valid fixtures
// ---------------------------------------------------------------------------------------------

const nonBlank = fc.string({ minLength: 1, maxLength: 12 }).filter((s) => s.trim().length > 0);
const padding = fc.constantFrom("", " ", "  ", "\t", "\n");
const padded = (arb: fc.Arbitrary<string>) => fc.tuple(padding, arb, padding).map(([a, s, b]) => `${a}${s}${b}`);
const supportedMethod = padded(
  fc.constantFrom(...SUPPORTED_METHODS).chain((m) => fc.constantFrom(m, m.toLowerCase(), m[0] + m.slice(1).toLowerCase())),
);
// zod drops a top-level "__proto__" key of a record (so it cannot replace the prototype); such a
// body would not round-trip, which parse-fixture.test.ts pins separately.
const jsonObject = fc.dictionary(
  fc.string({ maxLength: 10 }).filter((key) => key !== "__proto__"),
  fc.jsonValue({ maxDepth: 2 }),
  { maxKeys: 4 },
);
const failureStatus = fc.integer({ min: 400, max: 999 });
const errorCode = fc.constantFrom(...ERROR_CODES);

const requestFields = {
  case_id: padded(nonBlank),
  endpoint: nonBlank,
  actor_id: fc.string({ maxLength: 10 }),
  schema_version: fc.constant(1 as const),
  body: fc.option(jsonObject, { nil: null }),
};
const requestOptional = ["schema_version", "body"] as const;

const successCase = fc.record(
  {
    ...requestFields,
    method: supportedMethod,
    simulate_retryable_failure: fc.constant(false),
    expected: fc.record(
      {
        outcome: fc.constant("success" as const),
        status_code: fc.integer({ min: 200, max: 299 }),
        error_code: fc.constant(""),
        response_body: jsonObject,
      },
      { requiredKeys: ["outcome", "status_code", "response_body"] },
    ),
  },
  { requiredKeys: ["case_id", "method", "endpoint", "actor_id", "expected"] },
);

const malformedCase = fc.record(
  {
    ...requestFields,
    // Any method at all: a malformed_input case may name one the gateway does not support.
    method: fc.oneof(supportedMethod, nonBlank),
    simulate_retryable_failure: fc.constant(false),
    expected: fc.record({
      outcome: fc.constant("malformed_input" as const),
      status_code: failureStatus,
      error_code: errorCode,
      response_body: jsonObject,
    }),
  },
  { requiredKeys: ["case_id", "method", "endpoint", "actor_id", "expected"] },
);

const retryableCase = fc.record(
  {
    ...requestFields,
    method: supportedMethod,
    simulate_retryable_failure: fc.constant(true),
    expected: fc.record({
      outcome: fc.constant("retryable_failure" as const),
      status_code: failureStatus,
      error_code: errorCode,
      response_body: jsonObject,
    }),
  },
  { requiredKeys: ["case_id", "method", "endpoint", "actor_id", "simulate_retryable_failure", "expected"] },
);

/** Fixtures that satisfy every rule of behavior.md §1. */
const validFixture: fc.Arbitrary<FixtureInput> = fc.record(
  {
    $schema: fc.constant("../../packages/gateway-contract/schema/fixture.schema.json"),
    schema_version: fc.constant(1 as const),
    name: padded(nonBlank),
    description: fc.string({ maxLength: 20 }),
    cases: fc.uniqueArray(fc.oneof(successCase, malformedCase, retryableCase), {
      minLength: 1,
      maxLength: 5,
      selector: (c) => c.case_id.trim(),
    }),
  },
  { requiredKeys: ["schema_version", "name", "cases"] },
);

/** What parseFixture must return for a valid input: the same data with the §1 defaults filled in. */
function withDefaults(input: FixtureInput): JsonRecord {
  return viaJson({
    ...input,
    description: input.description ?? "",
    cases: input.cases.map((c) => ({
      ...c,
      schema_version: c.schema_version ?? 1,
      body: c.body ?? null,
      simulate_retryable_failure: c.simulate_retryable_failure ?? false,
    })),
  });
}

describe("parseFixture on generated valid fixtures", () => {
  it("accepts every valid fixture and returns its data with the defaults filled in", () => {
    fc.assert(
      fc.property(validFixture, (input) => {
        const parsed = parseFixture(JSON.stringify(input, null, 2), SOURCE);
        expect(viaJson(parsed)).toEqual(withDefaults(input));
      }),
      RUNS,
    );
  });

  it("round-trips: re-serialising a parsed fixture and parsing it again gives the same fixture", () => {
    fc.assert(
      fc.property(validFixture, (input) => {
        const once = parseFixture(JSON.stringify(input), SOURCE);
        const twice = parseFixture(JSON.stringify(once), SOURCE);
        expect(twice).toEqual(once);
      }),
      RUNS,
    );
  });
});

// ---------------------------------------------------------------------------------------------
// Structure-aware mutations
// ---------------------------------------------------------------------------------------------

type Path = (string | number)[];

/** Every key path inside a JSON value (object keys and array indexes), parents before children. */
function pathsOf(value: unknown, prefix: Path = []): Path[] {
  const children: [string | number, unknown][] = Array.isArray(value)
    ? value.map((v, i) => [i, v])
    : isRecord(value)
      ? Object.entries(value)
      : [];
  return children.flatMap(([key, child]) => [[...prefix, key], ...pathsOf(child, [...prefix, key])]);
}

function parentOf(root: unknown, path: Path): { parent: JsonRecord | unknown[]; key: string | number } {
  let node: unknown = root;
  for (const key of path.slice(0, -1)) node = (node as Record<string | number, unknown>)[key];
  return { parent: node as JsonRecord | unknown[], key: path[path.length - 1] as string | number };
}

const typeOf = (value: unknown) => (value === null ? "null" : Array.isArray(value) ? "array" : typeof value);
const pick = <T>(items: readonly T[], seed: number): T | undefined => items[seed % Math.max(items.length, 1)];

/** Replacement values, one of each JSON type, so a field can always get a value of another type. */
const OTHER_TYPED_VALUES: unknown[] = [null, true, false, 0, 201, -1.5, "", "x", "GET", [], [1], {}, { a: 1 }];

type Mutation =
  | { kind: "delete"; seed: number }
  | { kind: "retype"; seed: number; valueSeed: number; extra: unknown }
  | { kind: "unknown-key"; seed: number; key: string }
  | { kind: "duplicate-id"; from: number; to: number; pad: string }
  | { kind: "schema-version"; seed: number; value: unknown }
  | { kind: "truncate"; at: number }
  | { kind: "insert"; at: number; chars: string };

const mutation: fc.Arbitrary<Mutation> = fc.oneof(
  fc.record({ kind: fc.constant("delete" as const), seed: fc.nat() }),
  fc.record({ kind: fc.constant("retype" as const), seed: fc.nat(), valueSeed: fc.nat(), extra: fc.jsonValue({ maxDepth: 2 }) }),
  fc.record({ kind: fc.constant("unknown-key" as const), seed: fc.nat(), key: fc.string({ maxLength: 12 }) }),
  fc.record({ kind: fc.constant("duplicate-id" as const), from: fc.nat(), to: fc.nat(), pad: padding }),
  fc.record({
    kind: fc.constant("schema-version" as const),
    seed: fc.nat(),
    value: fc.oneof(fc.integer().filter((n) => n !== 1), fc.jsonValue({ maxDepth: 1 }).filter((v) => v !== 1)),
  }),
  fc.record({ kind: fc.constant("truncate" as const), at: fc.nat() }),
  fc.record({ kind: fc.constant("insert" as const), at: fc.nat(), chars: fc.string({ minLength: 1, maxLength: 4, unit: "binary" }) }),
);

/** The objects a fixture's own fields live in: the fixture, each case and each expectation. */
function schemaObjects(fixture: JsonRecord): JsonRecord[] {
  const cases = Array.isArray(fixture.cases) ? fixture.cases.filter(isRecord) : [];
  return [fixture, ...cases, ...cases.map((c) => c.expected).filter(isRecord)];
}

/** Applies a mutation to the JSON text of a fixture; structure edits go through the parsed value. */
function mutate(text: string, m: Mutation): string {
  if (m.kind === "truncate") return text.slice(0, m.at % Math.max(text.length, 1));
  if (m.kind === "insert") {
    const at = m.at % (text.length + 1);
    return text.slice(0, at) + m.chars + text.slice(at);
  }
  let root: unknown;
  try {
    root = JSON.parse(text);
  } catch {
    return text; // an earlier mutation broke the text; structure edits no longer apply
  }
  if (!isRecord(root)) return text;
  switch (m.kind) {
    case "delete": {
      const path = pick(pathsOf(root), m.seed);
      if (path) {
        const { parent, key } = parentOf(root, path);
        if (Array.isArray(parent)) parent.splice(key as number, 1);
        else delete parent[key as string];
      }
      break;
    }
    case "retype": {
      const path = pick(pathsOf(root), m.seed);
      if (path) {
        const { parent, key } = parentOf(root, path);
        const current = (parent as Record<string | number, unknown>)[key];
        const others = [...OTHER_TYPED_VALUES, m.extra].filter((v) => typeOf(v) !== typeOf(current));
        (parent as Record<string | number, unknown>)[key] = pick(others, m.valueSeed);
      }
      break;
    }
    case "unknown-key": {
      const target = pick(schemaObjects(root), m.seed);
      if (target) target[`x-${m.key}`] = m.key;
      break;
    }
    case "duplicate-id": {
      const cases = Array.isArray(root.cases) ? root.cases.filter(isRecord) : [];
      const from = pick(cases, m.from);
      const to = pick(cases, m.to);
      if (from && to) to.case_id = typeof from.case_id === "string" ? `${m.pad}${from.case_id}${m.pad}` : from.case_id;
      break;
    }
    case "schema-version": {
      const target = pick(schemaObjects(root).filter((o) => !("outcome" in o)), m.seed);
      if (target) target.schema_version = m.value;
      break;
    }
  }
  return JSON.stringify(root, null, 2);
}

/** Parses and checks what must hold for any input: a fixture, or a FixtureError naming the source. */
function parseNeverThrowsOtherwise(text: string) {
  let result: ReturnType<typeof safeParseFixture>;
  try {
    result = safeParseFixture(text, SOURCE);
  } catch (error) {
    return expect.unreachable(`safeParseFixture threw ${String(error)} for:\n${text}`);
  }
  if (!result.success) {
    const error = result.error;
    expect(FixtureError.isInstance(error)).toBe(true);
    expect(["E_FIXTURE_INVALID", "E_FIXTURE_JSON"]).toContain(error.code);
    expect(error.issues.length).toBeGreaterThan(0);
    expect(error.message.startsWith(`${SOURCE}: `)).toBe(true);
    for (const issue of error.issues) {
      expect(issue.message.startsWith(`${SOURCE}: `), issue.message).toBe(true);
      if (issue.caseIndex !== undefined) {
        expect(issue.path.startsWith(`cases[${issue.caseIndex}]`)).toBe(true);
        const where = issue.caseId !== undefined ? `case ${JSON.stringify(issue.caseId)}: ` : `case at index ${issue.caseIndex}: `;
        expect(issue.message.startsWith(`${SOURCE}: ${where}`), issue.message).toBe(true);
      }
    }
  }
  return result;
}

describe("safeParseFixture on mutated valid fixtures", () => {
  it("either parses or returns a FixtureError naming the source, and never throws", () => {
    fc.assert(
      fc.property(validFixture, fc.array(mutation, { minLength: 1, maxLength: 3 }), (input, mutations) => {
        const text = mutations.reduce(mutate, JSON.stringify(input, null, 2));
        parseNeverThrowsOtherwise(text);
      }),
      RUNS,
    );
  });

  it("rejects an unknown key in the fixture, a case or an expectation, naming the key", () => {
    fc.assert(
      fc.property(validFixture, fc.nat(), fc.string({ maxLength: 12 }), (input, seed, key) => {
        const text = mutate(JSON.stringify(input), { kind: "unknown-key", seed, key });
        const result = parseNeverThrowsOtherwise(text);
        expect(result.success).toBe(false);
        if (!result.success) {
          expect(result.error.issues.some((i) => i.message.includes(`x-${key} is not a known field`))).toBe(true);
        }
      }),
      RUNS,
    );
  });

  it("rejects a duplicated case id, compared trimmed", () => {
    const withTwoCases = validFixture.filter((f) => f.cases.length >= 2);
    fc.assert(
      fc.property(withTwoCases, fc.nat(), fc.nat(), padding, (input, from, offset, pad) => {
        const count = input.cases.length;
        const to = (from + 1 + (offset % (count - 1))) % count; // never the same case
        const result = parseNeverThrowsOtherwise(mutate(JSON.stringify(input), { kind: "duplicate-id", from, to, pad }));
        expect(result.success).toBe(false);
        if (!result.success) expect(result.error.issues.some((i) => i.message.includes("case_id must be unique"))).toBe(true);
      }),
      RUNS,
    );
  });

  it("rejects any schema_version other than 1, on the fixture or on a case", () => {
    fc.assert(
      fc.property(validFixture, fc.nat(), fc.oneof(fc.integer(), fc.jsonValue({ maxDepth: 1 })).filter((v) => v !== 1), (input, seed, value) => {
        const result = parseNeverThrowsOtherwise(mutate(JSON.stringify(input), { kind: "schema-version", seed, value }));
        expect(result.success).toBe(false);
        if (!result.success) expect(result.error.issues.some((i) => /(^|\.)schema_version$/.test(i.path))).toBe(true);
      }),
      RUNS,
    );
  });

  it("rejects a fixture cut short anywhere as invalid JSON with a line and column inside the text", () => {
    fc.assert(
      fc.property(validFixture, fc.nat(), (input, at) => {
        const text = mutate(JSON.stringify(input, null, 2), { kind: "truncate", at });
        const result = parseNeverThrowsOtherwise(text);
        expect(result.success).toBe(false);
        if (!result.success) {
          expect(result.error.code).toBe("E_FIXTURE_JSON");
          const match = /at line (\d+), column (\d+)/.exec(result.error.message);
          expect(match, result.error.message).not.toBeNull();
          const line = Number(match?.[1]);
          const column = Number(match?.[2]);
          const lines = text.split("\n");
          expect(line).toBeLessThanOrEqual(lines.length);
          expect(column).toBeLessThanOrEqual((lines[line - 1]?.length ?? 0) + 1);
        }
      }),
      RUNS,
    );
  });
});
