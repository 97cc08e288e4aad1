import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import {
  FIXTURE_SCHEMA_V2_ID,
  FixtureError,
  fixtureJsonSchemaV2,
  parseFixture,
  parseFixtureDocument,
  safeParseFixture,
} from "../src/index";
import { INLINE_SOURCE, issuesOf, successCase, validFixture, type JsonRecord } from "./helpers/fixture-builders";

const SCHEMA_V2_FILE = fileURLToPath(new URL("../schema/fixture.v2.schema.json", import.meta.url));

function v2Fixture(cases: JsonRecord[]): JsonRecord {
  return { schema_version: 2, name: "v2", cases };
}

const text = (value: unknown) => JSON.stringify(value, null, 2);

function thrown(fn: () => unknown): FixtureError {
  try {
    fn();
  } catch (error) {
    if (FixtureError.isInstance(error)) return error;
    throw error;
  }
  return expect.unreachable("expected a FixtureError");
}

describe("fixture schema version 2", () => {
  it("parses tags, pending, matchers and ignore, with defaults for the new fields", () => {
    const fixture = parseFixture(
      text(
        v2Fixture([
          successCase({ tags: ["smoke", "tasks"], pending: true }, { response_body: { id: { $match: "uuid" }, status: "accepted" }, ignore: ["/meta"] }),
          successCase({ case_id: "plain" }),
        ]),
      ),
      INLINE_SOURCE,
    );
    expect(fixture.schema_version).toBe(2);
    expect(fixture.cases[0]).toMatchObject({ schema_version: 2, tags: ["smoke", "tasks"], pending: true, expected: { ignore: ["/meta"] } });
    expect(fixture.cases[1]).toMatchObject({ tags: [], pending: false });
  });

  it("keeps v1's rules: a v2 case is still checked field by field and across fields", () => {
    const issues = issuesOf(v2Fixture([successCase({}, { status_code: 503 })]));
    expect(issues.map((i) => i.message)).toEqual([
      `${INLINE_SOURCE}: case "gateway-read-task": expected.status_code must be 2xx for outcome "success" (found 503)`,
    ]);
  });

  it("names the case and the pointer of an unknown matcher", () => {
    const issues = issuesOf(v2Fixture([successCase({}, { response_body: { meta: { id: { $match: "uuid4" } } } })]));
    expect(issues).toHaveLength(1);
    expect(issues[0]?.message).toBe(
      `${INLINE_SOURCE}: case "gateway-read-task": expected.response_body has an invalid matcher at "/meta/id": unknown matcher "uuid4"; use one of any, string, number, integer, boolean, uuid, iso8601 or regex:<pattern>`,
    );
  });

  it("names the case and the pointer of an invalid regex", () => {
    const issues = issuesOf(v2Fixture([successCase({}, { response_body: { v: { $match: "regex:[0-9" } } })]));
    expect(issues[0]?.message).toMatch(/case "gateway-read-task": expected\.response_body has an invalid matcher at "\/v": "\$match" regex "\[0-9" is not a valid regular expression/);
  });

  it("rejects an ignore entry that is not a JSON Pointer and a blank tag", () => {
    const issues = issuesOf(v2Fixture([successCase({ tags: [" "] }, { ignore: ["meta/id", "/ok", "/bad~2"] })]));
    expect(issues.map((i) => i.path)).toEqual(["cases[0].tags[0]", "cases[0].expected.ignore[0]", "cases[0].expected.ignore[2]"]);
    expect(issues[1]?.message).toContain('must be a JSON Pointer into response_body: "" or starting with "/"');
  });

  it("lists the v2 fields when a field is unknown", () => {
    const issues = issuesOf(v2Fixture([successCase({ tag: ["x"] }, { ignored: [] })]));
    expect(issues.map((i) => i.message)).toEqual([
      expect.stringContaining("expected.ignored is not a known field (check the spelling; allowed here: outcome, status_code, error_code, response_body, ignore)"),
      expect.stringContaining("tag is not a known field (check the spelling; allowed here: schema_version, case_id, method, endpoint, actor_id, body, simulate_retryable_failure, tags, pending, expected)"),
    ]);
  });

  it("keeps v1 exactly as strict: tags, pending and ignore are unknown fields there", () => {
    const issues = issuesOf(validFixture({ cases: [successCase({ tags: ["x"], pending: true }, { ignore: [] })] }));
    expect(issues.map((i) => i.path).sort()).toEqual(["cases[0].expected.ignore", "cases[0].pending", "cases[0].tags"]);
    expect(issues.find((i) => i.path === "cases[0].tags")?.message).toContain("allowed here: schema_version, case_id, method, endpoint, actor_id, body, simulate_retryable_failure, expected)");
  });

  it("a case schema_version in a v2 fixture must be 2", () => {
    const issues = issuesOf(v2Fixture([successCase({ schema_version: 1 })]));
    expect(issues[0]?.message).toBe(`${INLINE_SOURCE}: case "gateway-read-task": schema_version must be 2 (found 1)`);
  });

  describe("cases without expected (a fixture to be recorded)", () => {
    const unrecorded = v2Fixture([successCase({ case_id: "new-one", expected: undefined }), successCase()]);

    it("parse as a document", () => {
      const document = parseFixtureDocument(text(unrecorded), INLINE_SOURCE);
      expect(document.cases[0]?.expected).toBeUndefined();
    });

    it("cannot be run: parseFixture says to record them or run with --gateway-update new", () => {
      const error = thrown(() => parseFixture(text(unrecorded), INLINE_SOURCE));
      expect(error.code).toBe("E_FIXTURE_UNRECORDED");
      expect(error.issues).toEqual([
        {
          path: "cases[0].expected",
          caseId: "new-one",
          caseIndex: 0,
          message: `${INLINE_SOURCE}: case "new-one": has no expected yet, so it cannot be run: record it first (tau-gateway record --gateway-fixture ${INLINE_SOURCE} --out FILE) or run with --gateway-update new`,
        },
      ]);
    });

    it("are still required in v1", () => {
      const result = safeParseFixture(text(validFixture({ cases: [successCase({ expected: undefined })] })), INLINE_SOURCE);
      expect(result.success).toBe(false);
      if (!result.success) expect(result.error.issues[0]?.message).toContain("expected is required");
    });
  });
});

describe("fixtureJsonSchemaV2", () => {
  it("is what the checked-in schema/fixture.v2.schema.json holds", () => {
    const checkedIn: unknown = JSON.parse(readFileSync(SCHEMA_V2_FILE, "utf8"));
    expect(
      checkedIn,
      "schema/fixture.v2.schema.json is out of date with the zod schema: build the package, run `npm run schema -w @tau/gateway-contract` and commit the file",
    ).toStrictEqual(JSON.parse(JSON.stringify(fixtureJsonSchemaV2)));
  });

  it("has its own $id, requires schema_version 2, and lets expected be absent", () => {
    const schema = fixtureJsonSchemaV2 as {
      $id: string;
      properties: { schema_version: { const: number }; cases: { items: { required: string[]; properties: Record<string, unknown> } } };
    };
    expect(schema.$id).toBe(FIXTURE_SCHEMA_V2_ID);
    expect(schema.properties.schema_version.const).toBe(2);
    expect(schema.properties.cases.items.required).not.toContain("expected");
    expect(Object.keys(schema.properties.cases.items.properties)).toEqual(expect.arrayContaining(["tags", "pending", "expected"]));
  });
});
