import fc from "fast-check";
import { describe, expect, it } from "vitest";
import {
  checkContract,
  driftEdits,
  editFixtureText,
  expectationValue,
  FixtureError,
  parseFixture,
  parseJsonDocument,
  stringifyJsonDocument,
} from "../src/index";

const KEY = "GET:/v1/x:c1";

function fixtureText(expected: unknown, extra: Record<string, unknown> = {}): string {
  const c = { case_id: "c1", method: "GET", endpoint: "/v1/x", actor_id: "ops", ...extra, ...(expected === undefined ? {} : { expected }) };
  return `${JSON.stringify({ schema_version: 2, name: "edit", cases: [c] }, null, 2)}\n`;
}

describe("parseJsonDocument / stringifyJsonDocument", () => {
  it("gives back JSON.stringify(value, null, 2) for any JSON value", () => {
    fc.assert(
      fc.property(fc.jsonValue({ maxDepth: 4 }), (value) => {
        const text = JSON.stringify(value, null, 2);
        expect(stringifyJsonDocument(parseJsonDocument(text))).toBe(text);
      }),
      { numRuns: 300 },
    );
  });

  it("keeps integer-like keys where they were written, which JSON.parse would move first", () => {
    const text = '{"b": 1, "10": 2, "a": {"2": true, "1": false}}';
    expect(stringifyJsonDocument(parseJsonDocument(text))).toBe('{\n  "b": 1,\n  "10": 2,\n  "a": {\n    "2": true,\n    "1": false\n  }\n}');
  });
});

describe("editFixtureText", () => {
  const expected = { outcome: "success", status_code: 200, response_body: { z: 1, a: { id: { $match: "uuid" } }, list: [1, 2, 3] }, ignore: ["/t"] };

  it("changes only the edited fields and keeps key order, matchers, ignores and the final newline", () => {
    const out = editFixtureText(fixtureText(expected), [
      { caseKey: KEY, pointer: "/status_code", op: "set", value: 201 },
      { caseKey: KEY, pointer: "/response_body/z", op: "set", value: "one" },
    ]);
    expect(out).toBe(fixtureText({ ...expected, status_code: 201, response_body: { ...expected.response_body, z: "one" } }));
    expect(out.endsWith("}\n")).toBe(true);
  });

  it("adds a missing key at the end, removes a key, and removes array tail items from the highest index", () => {
    const out = editFixtureText(fixtureText(expected), [
      { caseKey: KEY, pointer: "/response_body/list/1", op: "remove" },
      { caseKey: KEY, pointer: "/response_body/list/2", op: "remove" },
      { caseKey: KEY, pointer: "/response_body/z", op: "remove" },
      { caseKey: KEY, pointer: "/response_body/new", op: "set", value: [1] },
    ]);
    const body = (JSON.parse(out) as { cases: { expected: { response_body: unknown } }[] }).cases[0]?.expected.response_body;
    expect(body).toEqual({ a: { id: { $match: "uuid" } }, list: [1], new: [1] });
    expect(Object.keys(body as object)).toEqual(["a", "list", "new"]);
  });

  it("gives a case without expected its expectation as the last field", () => {
    const out = editFixtureText(fixtureText(undefined, { tags: ["t"] }), [{ caseKey: KEY, pointer: "", op: "set", value: { outcome: "success", status_code: 200, response_body: {} } }]);
    expect(Object.keys((JSON.parse(out) as { cases: Record<string, unknown>[] }).cases[0] as object)).toEqual(["case_id", "method", "endpoint", "actor_id", "tags", "expected"]);
  });

  it("refuses a case that is not in the fixture with an E_FIXTURE_EDIT error naming the file", () => {
    let error: unknown;
    try {
      editFixtureText(fixtureText(expected), [{ caseKey: "GET:/nope:x", pointer: "/status_code", op: "set", value: 1 }], "f.json");
    } catch (e) {
      error = e;
    }
    expect(FixtureError.isInstance(error) && error.code).toBe("E_FIXTURE_EDIT");
    expect((error as Error).message).toContain('f.json: case "GET:/nope:x" is not in the fixture');
  });
});

describe("driftEdits", () => {
  it("turns every difference into the edit that makes the case match what was observed", () => {
    const text = fixtureText({ outcome: "success", status_code: 200, response_body: { a: 1, gone: true, arr: [1, 2] } });
    const gatewayCase = parseFixture(text, "f.json").cases[0];
    if (!gatewayCase) throw new Error("no case");
    const observed = { outcome: "success" as const, status_code: 201, error_code: "", response_body: { a: 2, added: "x", arr: [1] } };
    const drift = checkContract(gatewayCase, observed);
    const edited = parseFixture(editFixtureText(text, driftEdits(KEY, drift?.differences ?? [])), "f.json");
    expect(checkContract(edited.cases[0] as typeof gatewayCase, observed)).toBeNull();
    expect(expectationValue(editFixtureText(text, driftEdits(KEY, drift?.differences ?? [])), KEY, "/response_body/added")).toBe("x");
  });
});
