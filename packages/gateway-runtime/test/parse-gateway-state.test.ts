import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { gatewayStateSchema } from "../src/state/gateway-state";
import { parseGatewayState } from "../src/state/parse-gateway-state";

/** Every own key of every object, in order, recursively: toEqual ignores key order, state.json does not. */
function shape(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(shape);
  if (typeof value !== "object" || value === null) return value;
  return Object.keys(value).map((k) => [k, shape((value as Record<string, unknown>)[k])]);
}

/** The fast path gives exactly what zod gives: success, data (values and key order) or issues. */
function expectSameAsZod(value: unknown): void {
  const fast = parseGatewayState(value);
  const slow = gatewayStateSchema.safeParse(value);
  expect(fast.success).toBe(slow.success);
  if (fast.success && slow.success) {
    expect(shape(fast.data)).toEqual(shape(slow.data));
    expect(JSON.stringify(fast.data)).toBe(JSON.stringify(slow.data));
    expect(Object.getPrototypeOf(fast.data)).toBe(Object.prototype);
  } else {
    expect(fast.error?.issues).toEqual(slow.error?.issues);
  }
}

const record = (n: number, extra: Record<string, unknown> = {}) => ({
  case_key: `GET:/v1/tasks/${n}:case-${n}`,
  case_id: `case-${n}`,
  method: "GET",
  endpoint: `/v1/tasks/${n}`,
  actor_id: `actor-${n % 3}`,
  status_code: 200,
  outcome: "success",
  error_code: "",
  response_body: { status: "accepted", n },
  updated_unix_ms: 1_700_000_000_000 + n,
  ...extra,
});

const health = {
  updated_unix_ms: 1, cycle_duration_ms: 2, queue_depth: 0, active_runs: 0, failure_streak: 0,
  last_cycle_discovered: 3, last_cycle_processed: 3, last_cycle_completed: 3, last_cycle_failed: 0, last_cycle_duplicates: 0,
};
const guardrail = {
  gate: "pass", reason_code: "guardrail_checks_passing", failure_streak_threshold: 2, retryable_failures_threshold: 2,
  failure_streak: 0, last_failed_cases: 0, last_retryable_failures: 0, updated_unix_ms: 1,
};
const state = (over: Record<string, unknown> = {}) => ({
  schema_version: 1,
  processed_case_keys: ["GET:/v1/tasks/0:case-0", "GET:/v1/tasks/1:case-1"],
  requests: [record(0), record(1)],
  health,
  guardrail,
  last_cycle: { fixture_sha256: null, fixtures: [], shard: null, settings: null },
  ...over,
});

/** A record with its keys in another order (zod puts them back in schema order). */
function reordered(r: Record<string, unknown>): Record<string, unknown> {
  const keys = Object.keys(r);
  return Object.fromEntries([keys[keys.length - 1] as string, ...keys.slice(0, -1)].map((k) => [k, r[k]]));
}

// Property runs: seconds of CPU on a CI machine running every package at once.
describe("parseGatewayState", { timeout: 60_000 }, () => {
  it("returns the parsed arrays themselves when everything is plainly valid", () => {
    const value = JSON.parse(JSON.stringify(state()));
    const parsed = parseGatewayState(value);
    expect(parsed.success).toBe(true);
    expect(parsed.data?.requests).toBe(value.requests);
    expect(parsed.data?.processed_case_keys).toBe(value.processed_case_keys);
    expectSameAsZod(JSON.parse(JSON.stringify(state())));
  });

  it.each<[string, unknown]>([
    ["an empty object", {}],
    ["not an object", []],
    ["null", null],
    ["a number", 3],
    ["no arrays", { schema_version: 1, health }],
    ["empty arrays", state({ processed_case_keys: [], requests: [] })],
    ["another schema version", state({ schema_version: 2 })],
    ["unknown top-level fields, before and after", { zz: 1, ...state(), extra: [1, 2] }],
    ["a __proto__ key at the top", JSON.parse(`{"__proto__":{"x":1},${JSON.stringify(state()).slice(1)}`)],
    ["a key that is not a string", state({ processed_case_keys: ["a", 1] })],
    ["keys that are not an array", state({ processed_case_keys: "a" })],
    ["keys undefined", state({ processed_case_keys: undefined })],
    ["requests not an array", state({ requests: {} })],
    ["a record that is null", state({ requests: [record(0), null] })],
    ["a record that is an array", state({ requests: [[]] })],
    ["a record missing error_code (defaulted)", state({ requests: [(({ error_code: _, ...r }) => r)(record(0))] })],
    ["a record missing updated_unix_ms (defaulted)", state({ requests: [(({ updated_unix_ms: _, ...r }) => r)(record(0))] })],
    ["a record missing response_body", state({ requests: [(({ response_body: _, ...r }) => r)(record(0))] })],
    ["a record missing case_key", state({ requests: [(({ case_key: _, ...r }) => r)(record(0))] })],
    ["a record in another key order", state({ requests: [record(0), reordered(record(1))] })],
    ["a record with an unknown field", state({ requests: [record(0, { note: "kept" }), record(1)] })],
    ["a record with an integer-like unknown field", state({ requests: [record(0, { 7: "seven" })] })],
    ["a record with a __proto__ field", state({ requests: [JSON.parse(`${JSON.stringify(record(0)).slice(0, -1)},"__proto__":{"y":2}}`)] })],
    ["a fractional status", state({ requests: [record(0, { status_code: 200.5 })] })],
    ["a status past 2^53", state({ requests: [record(0, { status_code: 2 ** 53 })] })],
    ["a NaN status", state({ requests: [record(0, { status_code: Number.NaN })] })],
    ["an infinite timestamp", state({ requests: [record(0, { updated_unix_ms: Number.POSITIVE_INFINITY })] })],
    ["a negative timestamp", state({ requests: [record(0, { updated_unix_ms: -1 })] })],
    ["a -0 timestamp", state({ requests: [record(0, { updated_unix_ms: -0 })] })],
    ["a numeric case_id", state({ requests: [record(0, { case_id: 7 })] })],
    ["a null error_code", state({ requests: [record(0, { error_code: null })] })],
    ["an undefined response_body", state({ requests: [record(0, { response_body: undefined })] })],
    ["health of the wrong type", state({ health: [] })],
    ["health with a negative count", state({ health: { ...health, queue_depth: -1 } })],
    ["a guardrail with an unknown gate", state({ guardrail: { ...guardrail, gate: "green" } })],
    ["no guardrail and no health", (({ health: _h, guardrail: _g, ...s }) => s)(state())],
    ["a bad last_cycle and a bad record", state({ last_cycle: { shard: { index: 0, count: 1 } }, requests: [record(0, { status_code: "200" })] })],
  ])("gives what zod gives for %s", (_, value) => {
    expectSameAsZod(value);
  });

  it("gives what zod gives for arbitrary states, valid and broken", () => {
    const field = fc.oneof(
      fc.string(),
      fc.integer(),
      fc.double(),
      fc.constantFrom(null, true, undefined, -0, 2 ** 53, Number.NaN, "", "__proto__"),
      fc.jsonValue(),
    );
    const recordArb = fc
      .tuple(
        fc.nat(1000),
        fc.dictionary(fc.constantFrom(...Object.keys(record(0)), "note", "7", "__proto__"), field, { maxKeys: 3 }),
        fc.subarray(Object.keys(record(0)), { maxLength: 2 }),
        fc.boolean(),
      )
      .map(([n, changes, removed, reorder]) => {
        const r: Record<string, unknown> = record(n);
        for (const k of removed) delete r[k];
        for (const [k, v] of Object.entries(changes)) Object.defineProperty(r, k, { value: v, enumerable: true, writable: true, configurable: true });
        return reorder ? reordered(r) : r;
      });
    const plainRecord = fc.nat(1000).map((n) => record(n));
    const stateArb = fc.record(
      {
        schema_version: fc.constantFrom(1, 2, "1", undefined),
        processed_case_keys: fc.oneof(fc.array(fc.string()), fc.array(fc.oneof(fc.string(), fc.integer())), fc.constant(null)),
        requests: fc.oneof(fc.array(plainRecord, { maxLength: 5 }), fc.array(fc.oneof(plainRecord, recordArb), { maxLength: 5 })),
        health: fc.oneof(fc.constant(health), fc.constant({ ...health, failure_streak: 1.5 }), fc.constant(undefined)),
        guardrail: fc.oneof(fc.constant(guardrail), fc.constant({})),
        extra: fc.jsonValue(),
      },
      { requiredKeys: [] },
    );
    fc.assert(
      fc.property(stateArb, (value) => {
        expectSameAsZod(value);
        // As read from a file: undefined gone, -0 and NaN as JSON makes them.
        const text = JSON.stringify(value);
        if (text !== undefined) expectSameAsZod(JSON.parse(text));
      }),
      { numRuns: 2000 },
    );
  });
});
