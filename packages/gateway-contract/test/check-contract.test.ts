import { describe, expect, it } from "vitest";
import { checkContract, evaluateCase, jsonDiff, type Expected, type GatewayCase, type Observed } from "../src/index";

function gatewayCase(expected: Partial<Expected> = {}, fields: Partial<GatewayCase> = {}): GatewayCase {
  return {
    schema_version: 1,
    case_id: "case-1",
    method: "POST",
    endpoint: "/v1/tasks",
    actor_id: "ops-bot",
    body: null,
    simulate_retryable_failure: false,
    expected: {
      outcome: "success",
      status_code: 201,
      response_body: { status: "accepted", method: "POST", endpoint: "/v1/tasks", actor_id: "ops-bot" },
      ...expected,
    },
    ...fields,
  };
}

function observed(fields: Partial<Observed> = {}): Observed {
  return {
    outcome: "success",
    status_code: 201,
    error_code: "",
    response_body: { status: "accepted", method: "POST", endpoint: "/v1/tasks", actor_id: "ops-bot" },
    ...fields,
  };
}

/** The differences of a drift, failing when the observation matched. */
function differencesOf(gatewayCase: GatewayCase, result: Observed) {
  const drift = checkContract(gatewayCase, result);
  if (drift === null) return expect.unreachable("expected contract drift, but the observation matched");
  return drift.differences;
}

describe("checkContract", () => {
  it("returns null when outcome, status, error code and body all match", () => {
    expect(checkContract(gatewayCase(), observed())).toBeNull();
  });

  it("returns null for the simulated gateway's own answer to a well-written case", () => {
    const input = gatewayCase();
    expect(checkContract(input, evaluateCase(input))).toBeNull();
  });

  it("treats an absent expected error_code as the empty error code observed", () => {
    const input = gatewayCase();
    expect(input.expected.error_code).toBeUndefined();
    expect(checkContract(input, observed({ error_code: "" }))).toBeNull();
    expect(checkContract(gatewayCase({ error_code: "" }), observed({ error_code: "" }))).toBeNull();
  });

  it("reports an absent expected error_code against a non-empty observed one as expected \"\"", () => {
    expect(differencesOf(gatewayCase(), observed({ error_code: "gateway_invalid_request" }))).toEqual([
      { field: "error_code", pointer: "", expected: "", observed: "gateway_invalid_request" },
    ]);
  });

  it("lists an outcome mismatch", () => {
    expect(differencesOf(gatewayCase(), observed({ outcome: "malformed_input" }))).toEqual([
      { field: "outcome", pointer: "", expected: "success", observed: "malformed_input" },
    ]);
  });

  it("lists a status code mismatch", () => {
    expect(differencesOf(gatewayCase(), observed({ status_code: 200 }))).toEqual([
      { field: "status_code", pointer: "", expected: 201, observed: 200 },
    ]);
  });

  it("lists every mismatching field, in the order outcome, status_code, error_code, response_body", () => {
    const answer = observed({
      outcome: "malformed_input",
      status_code: 405,
      error_code: "gateway_unsupported_method",
      response_body: { status: "rejected", reason: "unsupported_method" },
    });
    const fields = differencesOf(gatewayCase(), answer).map((d) => d.field);
    expect(fields.slice(0, 3)).toEqual(["outcome", "status_code", "error_code"]);
    expect(new Set(fields.slice(3))).toEqual(new Set(["response_body"]));
  });

  it("names the trimmed case id and the normalised case key", () => {
    const drift = checkContract(
      gatewayCase({}, { case_id: "  case-1 ", method: " post", endpoint: " /v1/tasks " }),
      observed({ status_code: 200 }),
    );
    expect(drift).toMatchObject({ case_id: "case-1", case_key: "POST:/v1/tasks:case-1" });
  });

  it("carries the observation's note into the drift, and leaves it out when there is none", () => {
    const withNote = checkContract(gatewayCase(), observed({ response_body: "<html>", note: "response body was not JSON" }));
    expect(withNote?.note).toBe("response body was not JSON");
    expect(checkContract(gatewayCase(), observed({ status_code: 500 }))).not.toHaveProperty("note");
  });

  describe("response body differences", () => {
    const withBody = (expectedBody: Record<string, unknown>, observedBody: unknown) =>
      differencesOf(gatewayCase({ response_body: expectedBody }), observed({ response_body: observedBody }));

    it("points at a changed nested value", () => {
      expect(withBody({ task: { state: "queued", ring: 1 } }, { task: { state: "running", ring: 1 } })).toEqual([
        { field: "response_body", pointer: "/task/state", expected: "queued", observed: "running" },
      ]);
    });

    it("points at a key missing from the observation, with no observed value", () => {
      const [difference, ...rest] = withBody({ status: "accepted", reason: "ok" }, { status: "accepted" });
      expect(rest).toEqual([]);
      expect(difference).toEqual({ field: "response_body", pointer: "/reason", expected: "ok" });
      expect(difference).not.toHaveProperty("observed");
    });

    it("points at an extra key in the observation, with no expected value", () => {
      const [difference, ...rest] = withBody({ status: "accepted" }, { status: "accepted", trace_id: "abc" });
      expect(rest).toEqual([]);
      expect(difference).toEqual({ field: "response_body", pointer: "/trace_id", observed: "abc" });
      expect(difference).not.toHaveProperty("expected");
    });

    it("points at a changed array element by its index", () => {
      expect(withBody({ items: ["a", "b", "c"] }, { items: ["a", "x", "c"] })).toEqual([
        { field: "response_body", pointer: "/items/1", expected: "b", observed: "x" },
      ]);
    });

    it("points at array elements missing from or added to the observation", () => {
      expect(withBody({ items: [1, 2, 3] }, { items: [1] })).toEqual([
        { field: "response_body", pointer: "/items/1", expected: 2 },
        { field: "response_body", pointer: "/items/2", expected: 3 },
      ]);
      expect(withBody({ items: [] }, { items: [{ id: 1 }] })).toEqual([
        { field: "response_body", pointer: "/items/0", observed: { id: 1 } },
      ]);
    });

    it("escapes \"~\" as ~0 and \"/\" as ~1 in JSON pointers", () => {
      expect(withBody({ "a/b": { "c~d": 1 } }, { "a/b": { "c~d": 2 } })).toEqual([
        { field: "response_body", pointer: "/a~1b/c~0d", expected: 1, observed: 2 },
      ]);
      expect(withBody({ "~/": 1 }, { "~/": 2 })[0]?.pointer).toBe("/~0~1");
    });

    it("compares values of different types as a whole", () => {
      expect(withBody({ items: { length: 0 } }, { items: [] })).toEqual([
        { field: "response_body", pointer: "/items", expected: { length: 0 }, observed: [] },
      ]);
      expect(withBody({ count: 1 }, { count: "1" })).toEqual([
        { field: "response_body", pointer: "/count", expected: 1, observed: "1" },
      ]);
    });

    it("reports a body that is not an object at the root pointer", () => {
      expect(withBody({ status: "accepted" }, "accepted")).toEqual([
        { field: "response_body", pointer: "", expected: { status: "accepted" }, observed: "accepted" },
      ]);
    });

    it("lists several differences in sorted key order", () => {
      expect(withBody({ b: 1, a: 1, c: 1 }, { c: 2, b: 2, a: 2 }).map((d) => d.pointer)).toEqual(["/a", "/b", "/c"]);
    });

    it("ignores key order and treats 0 and -0 as equal", () => {
      expect(
        checkContract(gatewayCase({ response_body: { a: 0, b: [1, { c: null }] } }), observed({ response_body: { b: [1, { c: null }], a: -0 } })),
      ).toBeNull();
    });
  });
});

describe("jsonDiff", () => {
  it("returns no differences for deep-equal values", () => {
    expect(jsonDiff({ a: [1, { b: "c" }], d: null }, { d: null, a: [1, { b: "c" }] })).toEqual([]);
  });

  it("starts pointers at the pointer it is given", () => {
    expect(jsonDiff({ a: 1 }, { a: 2 }, "/body")).toEqual([{ pointer: "/body/a", expected: 1, observed: 2 }]);
  });
});

describe("jsonEqual", () => {
  it("agrees with jsonDiff: equal exactly when there is no difference", async () => {
    const fc = (await import("fast-check")).default;
    const { jsonDiff, jsonEqual } = await import("../src/json-diff");
    fc.assert(
      fc.property(fc.jsonValue(), fc.jsonValue(), (a, b) => {
        expect(jsonEqual(a, b)).toBe(jsonDiff(a, b).length === 0);
        expect(jsonEqual(a, structuredClone(a))).toBe(true);
      }),
      { numRuns: 500 },
    );
  });
});
