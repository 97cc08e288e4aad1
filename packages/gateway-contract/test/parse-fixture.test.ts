import { describe, expect, it } from "vitest";
import { FixtureError, parseFixture, safeParseFixture, validateFixture } from "../src/index";
import {
  INLINE_SOURCE,
  issuesOf,
  rejectionOf,
  retryableCase,
  successCase,
  unsupportedMethodCase,
  validFixture,
  type JsonRecord,
} from "./helpers/fixture-builders";

const parseInline = (value: unknown) => parseFixture(JSON.stringify(value, null, 2), INLINE_SOURCE);

/** A rule of behavior.md §1 broken on its own: the one issue it must produce. */
interface RuleRow {
  rule: string;
  fixture: unknown;
  path: string;
  caseId?: string;
  caseIndex?: number;
  message: string;
}

function expectSingleIssue(row: RuleRow): void {
  const issues = issuesOf(row.fixture);
  expect(issues).toHaveLength(1);
  const [issue] = issues;
  expect(issue?.path).toBe(row.path);
  expect(issue?.caseId).toBe(row.caseId);
  expect(issue?.caseIndex).toBe(row.caseIndex);
  expect(issue?.message).toBe(`${INLINE_SOURCE}: ${row.message}`);
}

const CASE = 'case "gateway-read-task": ';

describe("parseFixture", () => {
  describe("valid fixtures and defaults", () => {
    it("accepts a minimal fixture and fills in description, body, simulate_retryable_failure and the case schema_version", () => {
      const fixture = parseInline(validFixture());
      expect(fixture.description).toBe("");
      expect(fixture.cases[0]).toMatchObject({
        schema_version: 1,
        body: null,
        simulate_retryable_failure: false,
      });
    });

    it("keeps the optional fields when they are given", () => {
      const fixture = parseInline(
        validFixture({
          description: "why this fixture exists",
          cases: [retryableCase({ schema_version: 1, body: { task: "summarize" } })],
        }),
      );
      expect(fixture.description).toBe("why this fixture exists");
      expect(fixture.cases[0]).toMatchObject({
        schema_version: 1,
        body: { task: "summarize" },
        simulate_retryable_failure: true,
      });
    });

    it("accepts the $schema key that points editors at the JSON Schema", () => {
      const fixture = parseInline(validFixture({ $schema: "../../packages/gateway-contract/schema/fixture.schema.json" }));
      expect(fixture.$schema).toBe("../../packages/gateway-contract/schema/fixture.schema.json");
    });

    it("accepts an explicit null body", () => {
      expect(parseInline(validFixture({ cases: [successCase({ body: null })] })).cases[0]?.body).toBeNull();
    });

    it("accepts an empty actor_id (the gateway answers it with 400 at run time)", () => {
      const fixture = parseInline(
        validFixture({
          cases: [
            successCase({ actor_id: "" }, {
              outcome: "malformed_input",
              status_code: 400,
              error_code: "gateway_invalid_request",
              response_body: { status: "rejected", reason: "invalid_request" },
            }),
          ],
        }),
      );
      expect(fixture.cases[0]?.actor_id).toBe("");
    });

    it("accepts an empty or absent error_code for a success", () => {
      expect(() => parseInline(validFixture({ cases: [successCase({}, { error_code: "" })] }))).not.toThrow();
      expect(() => parseInline(validFixture({ cases: [successCase({}, { error_code: undefined })] }))).not.toThrow();
    });

    it.each([200, 201, 250, 299])("accepts status %i for a success", (status) => {
      expect(() => parseInline(validFixture({ cases: [successCase({}, { status_code: status })] }))).not.toThrow();
    });

    it.each([400, 404, 503, 599])("accepts status %i for a failure", (status) => {
      expect(() => parseInline(validFixture({ cases: [unsupportedMethodCase({}, { status_code: status })] }))).not.toThrow();
    });

    it("accepts an unsupported method for a malformed_input case", () => {
      expect(() => parseInline(validFixture({ cases: [unsupportedMethodCase({ method: "BREW" })] }))).not.toThrow();
    });

    it.each([" post ", "post", "Post", "\tDELETE\n"])(
      "compares the method trimmed and upper-cased (%j is a supported method)",
      (method) => {
        const fixture = parseInline(validFixture({ cases: [successCase({ method })] }));
        expect(fixture.cases[0]?.method).toBe(method);
      },
    );

    it("accepts case ids that differ only in letter case (ids are compared trimmed, not case-folded)", () => {
      const cases = [successCase({ case_id: "a" }), successCase({ case_id: "A" })];
      expect(parseInline(validFixture({ cases })).cases).toHaveLength(2);
    });

    it("accepts a UTF-8 byte order mark before the JSON text", () => {
      const fixture = parseFixture(`\uFEFF${JSON.stringify(validFixture())}`, INLINE_SOURCE);
      expect(fixture.name).toBe("inline");
    });

    it("keeps a \"__proto__\" key of a body as a plain field, never as the body's prototype", () => {
      const text = JSON.stringify(validFixture()).replace(
        '"actor_id":"ops-bot"',
        '"actor_id":"ops-bot","body":{"__proto__":{"polluted":true},"task":"summarize"}',
      );
      const body = parseFixture(text, INLINE_SOURCE).cases[0]?.body as Record<string, unknown>;
      expect(Object.keys(body)).toEqual(["__proto__", "task"]);
      expect(JSON.stringify(body)).toBe('{"__proto__":{"polluted":true},"task":"summarize"}');
      expect(Object.getPrototypeOf(body)).toBe(Object.prototype);
      expect(({} as Record<string, unknown>).polluted).toBeUndefined();
    });
  });

  describe("fixture-level rules", () => {
    const rows: RuleRow[] = [
      {
        rule: "a schema_version other than 1 or 2",
        fixture: validFixture({ schema_version: 3 }),
        path: "schema_version",
        message: "schema_version must be 1 or 2 (found 3)",
      },
      {
        rule: "a schema_version written as a string",
        fixture: validFixture({ schema_version: "1" }),
        path: "schema_version",
        message: 'schema_version must be 1 (found "1")',
      },
      {
        rule: "a missing schema_version",
        fixture: validFixture({ schema_version: undefined }),
        path: "schema_version",
        message: "schema_version is required (found nothing: the field is missing)",
      },
      {
        rule: "a name that is blank after trimming",
        fixture: validFixture({ name: " \t " }),
        path: "name",
        message: 'name must be a non-empty string (found " \\t ")',
      },
      {
        rule: "a missing name",
        fixture: validFixture({ name: undefined }),
        path: "name",
        message: "name is required (found nothing: the field is missing)",
      },
      {
        rule: "a name that is not a string",
        fixture: validFixture({ name: 7 }),
        path: "name",
        message: "name must be a string (found 7)",
      },
      {
        rule: "a description that is not a string",
        fixture: validFixture({ description: ["why"] }),
        path: "description",
        message: "description must be a string (found an array of 1)",
      },
      {
        rule: "an empty cases array",
        fixture: validFixture({ cases: [] }),
        path: "cases",
        message: "cases must list at least one case (found an array of 0)",
      },
      {
        rule: "cases that is not an array",
        fixture: validFixture({ cases: { first: successCase() } }),
        path: "cases",
        message: "cases must be an array (found an object)",
      },
      {
        rule: "missing cases",
        fixture: validFixture({ cases: undefined }),
        path: "cases",
        message: "cases is required (found nothing: the field is missing)",
      },
      {
        rule: "an unknown top-level field",
        fixture: validFixture({ cases_: [] }),
        path: "cases_",
        message: "cases_ is not a known field (check the spelling; allowed here: $schema, schema_version, name, description, cases)",
      },
    ];

    it.each(rows)("rejects $rule", (row) => expectSingleIssue(row));

    it.each([
      ["an array", [validFixture()], "an array of 1"],
      ["null", null, "null"],
      ["a string", "fixture", '"fixture"'],
    ])("rejects a JSON value that is %s instead of an object", (_label, value, found) => {
      expectSingleIssue({
        rule: "",
        fixture: value,
        path: "",
        message: `fixture must be a JSON object (found ${found})`,
      });
    });
  });

  describe("case rules", () => {
    const inCase = (fields: JsonRecord, expected: JsonRecord = {}) => validFixture({ cases: [successCase(fields, expected)] });
    const rows: RuleRow[] = [
      {
        rule: "a case schema_version other than 1",
        fixture: inCase({ schema_version: 2 }),
        path: "cases[0].schema_version",
        caseId: "gateway-read-task",
        caseIndex: 0,
        message: `${CASE}schema_version must be 1 (found 2)`,
      },
      {
        rule: "a blank case_id, naming the case by its index",
        fixture: validFixture({ cases: [successCase(), successCase({ case_id: "   " })] }),
        path: "cases[1].case_id",
        caseIndex: 1,
        message: 'case at index 1: case_id must be a non-empty string, unique in the fixture (found "   ")',
      },
      {
        rule: "a missing case_id, naming the case by its index",
        fixture: inCase({ case_id: undefined }),
        path: "cases[0].case_id",
        caseIndex: 0,
        message: "case at index 0: case_id is required (found nothing: the field is missing)",
      },
      {
        rule: "a case_id that is not a string, naming the case by its index",
        fixture: inCase({ case_id: 42 }),
        path: "cases[0].case_id",
        caseIndex: 0,
        message: "case at index 0: case_id must be a string (found 42)",
      },
      {
        rule: "a duplicate case_id, compared trimmed",
        fixture: validFixture({ cases: [successCase({ case_id: "dup" }), successCase({ case_id: "  dup\t" })] }),
        path: "cases[1].case_id",
        caseId: "dup",
        caseIndex: 1,
        message: 'case "dup": case_id must be unique: "dup" is already used by the case at index 0 (ids are compared trimmed)',
      },
      {
        rule: "a blank method",
        fixture: inCase({ method: "  " }),
        path: "cases[0].method",
        caseId: "gateway-read-task",
        caseIndex: 0,
        message: `${CASE}method must be a non-empty HTTP method (found "  ")`,
      },
      {
        rule: "a missing method",
        fixture: inCase({ method: undefined }),
        path: "cases[0].method",
        caseId: "gateway-read-task",
        caseIndex: 0,
        message: `${CASE}method is required (found nothing: the field is missing)`,
      },
      {
        rule: "a blank endpoint",
        fixture: inCase({ endpoint: "" }),
        path: "cases[0].endpoint",
        caseId: "gateway-read-task",
        caseIndex: 0,
        message: `${CASE}endpoint must be a non-empty path (found "")`,
      },
      {
        rule: "a missing actor_id",
        fixture: inCase({ actor_id: undefined }),
        path: "cases[0].actor_id",
        caseId: "gateway-read-task",
        caseIndex: 0,
        message: `${CASE}actor_id is required (found nothing: the field is missing)`,
      },
      {
        rule: "an actor_id that is not a string",
        fixture: inCase({ actor_id: null }),
        path: "cases[0].actor_id",
        caseId: "gateway-read-task",
        caseIndex: 0,
        message: `${CASE}actor_id must be a string (found null)`,
      },
      {
        rule: "a simulate_retryable_failure that is not a boolean",
        fixture: validFixture({ cases: [retryableCase({ simulate_retryable_failure: "true" })] }),
        path: "cases[0].simulate_retryable_failure",
        caseId: "gateway-retryable-backend",
        caseIndex: 0,
        message: 'case "gateway-retryable-backend": simulate_retryable_failure must be true or false (found "true")',
      },
      {
        rule: "a case that is not an object, naming it by its index",
        fixture: validFixture({ cases: [successCase(), "gateway-read-task"] }),
        path: "cases[1]",
        caseIndex: 1,
        message: 'case at index 1: case must be a JSON object (found "gateway-read-task")',
      },
      {
        rule: "an unknown case field (a typo such as `methd`)",
        fixture: inCase({ methd: "GET" }),
        path: "cases[0].methd",
        caseId: "gateway-read-task",
        caseIndex: 0,
        message: `${CASE}methd is not a known field (check the spelling; allowed here: schema_version, case_id, method, endpoint, actor_id, body, simulate_retryable_failure, expected)`,
      },
    ];

    it.each(rows)("rejects $rule", (row) => expectSingleIssue(row));

    it.each([
      ["an array", ["summarize"], "an array of 1"],
      ["a string", "summarize", '"summarize"'],
      ["a number", 3, "3"],
      ["a boolean", false, "false"],
    ])("rejects a body that is %s", (_label, body, found) => {
      expectSingleIssue({
        rule: "",
        fixture: inCase({ body }),
        path: "cases[0].body",
        caseId: "gateway-read-task",
        caseIndex: 0,
        message: `${CASE}body must be a JSON object or null (found ${found})`,
      });
    });
  });

  describe("expectation rules", () => {
    const withExpected = (expected: JsonRecord, fields: JsonRecord = {}) =>
      validFixture({ cases: [successCase(fields, expected)] });
    const failing = (expected: JsonRecord, fields: JsonRecord = {}) =>
      validFixture({ cases: [unsupportedMethodCase(fields, expected)] });
    const retryable = (expected: JsonRecord, fields: JsonRecord = {}) =>
      validFixture({ cases: [retryableCase(fields, expected)] });
    const UNSUPPORTED = 'case "gateway-unsupported-method": ';
    const RETRYABLE = 'case "gateway-retryable-backend": ';
    const CODES = '"gateway_invalid_request", "gateway_unsupported_method", "gateway_backend_unavailable"';

    const rows: RuleRow[] = [
      {
        rule: "a missing expected",
        fixture: withExpected({}, { expected: undefined }),
        path: "cases[0].expected",
        caseId: "gateway-read-task",
        caseIndex: 0,
        message: `${CASE}expected is required (found nothing: the field is missing)`,
      },
      {
        rule: "an outcome that is not one of the three",
        fixture: withExpected({ outcome: "ok" }),
        path: "cases[0].expected.outcome",
        caseId: "gateway-read-task",
        caseIndex: 0,
        message: `${CASE}expected.outcome must be one of "success", "malformed_input", "retryable_failure" (found "ok")`,
      },
      {
        rule: "a missing outcome",
        fixture: withExpected({ outcome: undefined }),
        path: "cases[0].expected.outcome",
        caseId: "gateway-read-task",
        caseIndex: 0,
        message: `${CASE}expected.outcome is required (found nothing: the field is missing)`,
      },
      {
        rule: "a status_code that is not an integer",
        fixture: withExpected({ status_code: 200.5 }),
        path: "cases[0].expected.status_code",
        caseId: "gateway-read-task",
        caseIndex: 0,
        message: `${CASE}expected.status_code must be an integer (found 200.5)`,
      },
      {
        rule: "a status_code written as a string",
        fixture: withExpected({ status_code: "200" }),
        path: "cases[0].expected.status_code",
        caseId: "gateway-read-task",
        caseIndex: 0,
        message: `${CASE}expected.status_code must be a number (found "200")`,
      },
      {
        rule: "a success status below 200",
        fixture: withExpected({ status_code: 199 }),
        path: "cases[0].expected.status_code",
        caseId: "gateway-read-task",
        caseIndex: 0,
        message: `${CASE}expected.status_code must be 2xx for outcome "success" (found 199)`,
      },
      {
        rule: "a success status above 299",
        fixture: withExpected({ status_code: 300 }),
        path: "cases[0].expected.status_code",
        caseId: "gateway-read-task",
        caseIndex: 0,
        message: `${CASE}expected.status_code must be 2xx for outcome "success" (found 300)`,
      },
      {
        rule: "a malformed_input status below 400",
        fixture: failing({ status_code: 399 }),
        path: "cases[0].expected.status_code",
        caseId: "gateway-unsupported-method",
        caseIndex: 0,
        message: `${UNSUPPORTED}expected.status_code must be 400 or greater for outcome "malformed_input" (found 399)`,
      },
      {
        rule: "a retryable_failure status below 400",
        fixture: retryable({ status_code: 200 }),
        path: "cases[0].expected.status_code",
        caseId: "gateway-retryable-backend",
        caseIndex: 0,
        message: `${RETRYABLE}expected.status_code must be 400 or greater for outcome "retryable_failure" (found 200)`,
      },
      {
        rule: "an error_code on a success",
        fixture: withExpected({ error_code: "gateway_invalid_request" }),
        path: "cases[0].expected.error_code",
        caseId: "gateway-read-task",
        caseIndex: 0,
        message: `${CASE}expected.error_code must be empty or absent for outcome "success" (found "gateway_invalid_request")`,
      },
      {
        rule: "a missing error_code on a malformed_input case",
        fixture: failing({ error_code: undefined }),
        path: "cases[0].expected.error_code",
        caseId: "gateway-unsupported-method",
        caseIndex: 0,
        message: `${UNSUPPORTED}expected.error_code is required for outcome "malformed_input": one of ${CODES} (found nothing: the field is missing)`,
      },
      {
        rule: "an empty error_code on a retryable_failure case",
        fixture: retryable({ error_code: "" }),
        path: "cases[0].expected.error_code",
        caseId: "gateway-retryable-backend",
        caseIndex: 0,
        message: `${RETRYABLE}expected.error_code is required for outcome "retryable_failure": one of ${CODES} (found "")`,
      },
      {
        rule: "an error_code that is not supported",
        fixture: failing({ error_code: "gateway_teapot" }),
        path: "cases[0].expected.error_code",
        caseId: "gateway-unsupported-method",
        caseIndex: 0,
        message: `${UNSUPPORTED}expected.error_code must be one of ${CODES} (found "gateway_teapot")`,
      },
      {
        rule: "an error_code that is not a string",
        fixture: failing({ error_code: 405 }),
        path: "cases[0].expected.error_code",
        caseId: "gateway-unsupported-method",
        caseIndex: 0,
        message: `${UNSUPPORTED}expected.error_code must be a string (found 405)`,
      },
      {
        rule: "simulate_retryable_failure on a success",
        fixture: withExpected({}, { simulate_retryable_failure: true }),
        path: "cases[0].simulate_retryable_failure",
        caseId: "gateway-read-task",
        caseIndex: 0,
        message: `${CASE}simulate_retryable_failure is true, so expected.outcome must be "retryable_failure" (found "success")`,
      },
      {
        rule: "simulate_retryable_failure on a malformed_input case",
        fixture: failing({}, { simulate_retryable_failure: true }),
        path: "cases[0].simulate_retryable_failure",
        caseId: "gateway-unsupported-method",
        caseIndex: 0,
        message: `${UNSUPPORTED}simulate_retryable_failure is true, so expected.outcome must be "retryable_failure" (found "malformed_input")`,
      },
      {
        rule: "a retryable_failure without simulate_retryable_failure",
        fixture: retryable({}, { simulate_retryable_failure: undefined }),
        path: "cases[0].simulate_retryable_failure",
        caseId: "gateway-retryable-backend",
        caseIndex: 0,
        message: `${RETRYABLE}simulate_retryable_failure must be true for outcome "retryable_failure" (found false)`,
      },
      {
        rule: "a retryable_failure with simulate_retryable_failure: false",
        fixture: retryable({}, { simulate_retryable_failure: false }),
        path: "cases[0].simulate_retryable_failure",
        caseId: "gateway-retryable-backend",
        caseIndex: 0,
        message: `${RETRYABLE}simulate_retryable_failure must be true for outcome "retryable_failure" (found false)`,
      },
      {
        rule: "an unsupported method on a success",
        fixture: withExpected({}, { method: "TRACE" }),
        path: "cases[0].method",
        caseId: "gateway-read-task",
        caseIndex: 0,
        message: `${CASE}method must be one of GET, POST, PUT, PATCH, DELETE for outcome "success" (found "TRACE"); only a "malformed_input" case may use another method`,
      },
      {
        rule: "an unsupported method on a retryable_failure",
        fixture: retryable({}, { method: "OPTIONS" }),
        path: "cases[0].method",
        caseId: "gateway-retryable-backend",
        caseIndex: 0,
        message: `${RETRYABLE}method must be one of GET, POST, PUT, PATCH, DELETE for outcome "retryable_failure" (found "OPTIONS"); only a "malformed_input" case may use another method`,
      },
      {
        rule: "a response_body that is an array",
        fixture: withExpected({ response_body: [] }),
        path: "cases[0].expected.response_body",
        caseId: "gateway-read-task",
        caseIndex: 0,
        message: `${CASE}expected.response_body must be a JSON object (found an array of 0)`,
      },
      {
        rule: "a response_body that is null",
        fixture: withExpected({ response_body: null }),
        path: "cases[0].expected.response_body",
        caseId: "gateway-read-task",
        caseIndex: 0,
        message: `${CASE}expected.response_body must be a JSON object (found null)`,
      },
      {
        rule: "a missing response_body",
        fixture: withExpected({ response_body: undefined }),
        path: "cases[0].expected.response_body",
        caseId: "gateway-read-task",
        caseIndex: 0,
        message: `${CASE}expected.response_body is required (found nothing: the field is missing)`,
      },
      {
        rule: "an unknown field inside expected",
        fixture: withExpected({ staus_code: 200 }),
        path: "cases[0].expected.staus_code",
        caseId: "gateway-read-task",
        caseIndex: 0,
        message: `${CASE}expected.staus_code is not a known field (check the spelling; allowed here: outcome, status_code, error_code, response_body)`,
      },
    ];

    it.each(rows)("rejects $rule", (row) => expectSingleIssue(row));

    it("reports the typo `expcted` as an unknown field and `expected` as missing", () => {
      const gatewayCase = successCase();
      gatewayCase.expcted = gatewayCase.expected;
      delete gatewayCase.expected;
      const issues = issuesOf(validFixture({ cases: [gatewayCase] }));
      expect(issues.map((i) => i.path)).toEqual(["cases[0].expected", "cases[0].expcted"]);
      expect(issues[1]?.message).toContain("expcted is not a known field (check the spelling");
    });
  });

  describe("reporting", () => {
    it("reports all problems of a fixture together, not only the first", () => {
      const fixture = validFixture({
        name: "",
        cases: [successCase({ body: 3 }, { status_code: 500 })],
      });
      const error = rejectionOf(JSON.stringify(fixture));
      expect(error.code).toBe("E_FIXTURE_INVALID");
      expect(error.issues).toHaveLength(3);
      expect(error.issues.map((i) => i.path).sort()).toEqual(["cases[0].body", "cases[0].expected.status_code", "name"]);
      expect(error.message.split("\n")[0]).toBe(`${INLINE_SOURCE}: 3 problems in fixture`);
      for (const issue of error.issues) expect(error.message).toContain(`  - ${issue.message}`);
    });

    it("reports problems in different cases with each case's id or index", () => {
      const fixture = validFixture({
        cases: [successCase({ case_id: "first", endpoint: "" }), successCase({ case_id: "" }), successCase({ case_id: "third", actor_id: 1 })],
      });
      const issues = issuesOf(fixture);
      expect(issues.map(({ path, caseId, caseIndex }) => ({ path, caseId, caseIndex }))).toEqual([
        { path: "cases[0].endpoint", caseId: "first", caseIndex: 0 },
        { path: "cases[1].case_id", caseId: undefined, caseIndex: 1 },
        { path: "cases[2].actor_id", caseId: "third", caseIndex: 2 },
      ]);
      expect(issues[1]?.message).toContain("case at index 1: ");
    });

    it("names a case by its trimmed id", () => {
      const [issue] = issuesOf(validFixture({ cases: [successCase({ case_id: "  padded  ", endpoint: " " })] }));
      expect(issue?.caseId).toBe("padded");
      expect(issue?.message).toContain('case "padded": endpoint');
    });

    it("quotes a case id that holds a quote or a line break, so the message stays one line", () => {
      const [issue] = issuesOf(validFixture({ cases: [successCase({ case_id: 'say "hi"\nnow', endpoint: "" })] }));
      expect(issue?.caseId).toBe('say "hi"\nnow');
      expect(issue?.message).toBe(`${INLINE_SOURCE}: case "say \\"hi\\"\\nnow": endpoint must be a non-empty path (found "")`);
      expect(issue?.message).not.toContain("\n");
    });

    it("uses a single issue's message as the error message", () => {
      const error = rejectionOf(JSON.stringify(validFixture({ schema_version: 3 })));
      expect(error.issues).toHaveLength(1);
      expect(error.message).toBe(error.issues[0]?.message);
    });

    it('names the source "<fixture>" when none is given', () => {
      expect(() => parseFixture("{}")).toThrow(/^<fixture>: /);
    });

    it("throws a FixtureError with the E_FIXTURE_INVALID code", () => {
      let thrown: unknown;
      try {
        parseInline(validFixture({ cases: [] }));
      } catch (error) {
        thrown = error;
      }
      expect(thrown).toBeInstanceOf(FixtureError);
      expect(thrown).toMatchObject({ name: "FixtureError", code: "E_FIXTURE_INVALID", source: INLINE_SOURCE });
    });
  });

  describe("invalid JSON", () => {
    it.each([
      {
        shape: "a trailing comma",
        text: '{\n  "schema_version": 1,\n  "name": "x",\n}',
        line: 4,
        column: 1,
        reason: 'expected a double-quoted property name, found "}"',
      },
      {
        shape: "a trailing comma in an array",
        text: '{\n  "cases": [\n    {},\n  ]\n}',
        line: 4,
        column: 3,
        reason: 'expected a value, found "]"',
      },
      {
        shape: "a missing closing quote",
        text: '{\n  "name": "x,\n  "cases": []\n}',
        line: 2,
        column: 14,
        reason: "control character in string (escape it)",
      },
      {
        shape: "a missing opening quote on a key",
        text: '{\n  name": "x"\n}',
        line: 2,
        column: 3,
        reason: 'expected a double-quoted property name, found "n"',
      },
      {
        shape: "a missing comma",
        text: '{\n  "schema_version": 1\n  "name": "x"\n}',
        line: 3,
        column: 3,
        reason: `expected ',' or '}' after property value, found "\\""`,
      },
      {
        shape: "a truncated file",
        text: '{\n  "schema_version": 1,\n  "cases": [\n    {"case_id": "a"',
        line: 4,
        column: 20,
        reason: "expected ',' or '}' after property value, found end of input",
      },
      { shape: "an empty file", text: "", line: 1, column: 1, reason: "expected a value, found end of input" },
      { shape: "a file of only whitespace", text: "\n\n  ", line: 3, column: 3, reason: "expected a value, found end of input" },
      { shape: "a misspelled literal `tru`", text: "tru", line: 1, column: 1, reason: 'expected true, found "tru"' },
      {
        shape: "a misspelled literal inside an object",
        text: '{\n  "simulate_retryable_failure": tru\n}',
        line: 2,
        column: 33,
        reason: 'expected true, found "tru"',
      },
      {
        shape: "text after the JSON value",
        text: "{}\n{}",
        line: 2,
        column: 1,
        reason: 'expected end of input after the JSON value, found "{"',
      },
    ])("reports line and column for $shape", ({ text, line, column, reason }) => {
      const error = rejectionOf(text);
      expect(error.code).toBe("E_FIXTURE_JSON");
      expect(error.issues).toEqual([
        { path: "", message: `${INLINE_SOURCE}: not valid JSON at line ${line}, column ${column}: ${reason}` },
      ]);
      expect(error.cause).toBeInstanceOf(SyntaxError);
    });

    it("counts lines and columns after a byte order mark as if it were not there", () => {
      const error = rejectionOf('\uFEFF{\n  "a": 1,\n}');
      expect(error.message).toBe(`${INLINE_SOURCE}: not valid JSON at line 3, column 1: expected a double-quoted property name, found "}"`);
    });
  });
});

describe("validateFixture", () => {
  it("validates an already-parsed value with the same rules", () => {
    expect(validateFixture(validFixture(), "value").cases).toHaveLength(1);
    expect(() => validateFixture(validFixture({ name: "" }), "value")).toThrow(/^value: name must be a non-empty string/);
  });
});

describe("safeParseFixture", () => {
  it("returns the fixture on success", () => {
    const result = safeParseFixture(JSON.stringify(validFixture()), INLINE_SOURCE);
    expect(result.success).toBe(true);
    if (result.success) expect(result.fixture.name).toBe("inline");
  });

  it.each([
    ["invalid JSON", "{", "E_FIXTURE_JSON"],
    ["an invalid fixture", JSON.stringify(validFixture({ cases: [] })), "E_FIXTURE_INVALID"],
    ["a JSON value that is not an object", "42", "E_FIXTURE_INVALID"],
  ])("returns the FixtureError instead of throwing for %s", (_label, text, code) => {
    let result: ReturnType<typeof safeParseFixture> | undefined;
    expect(() => {
      result = safeParseFixture(text, INLINE_SOURCE);
    }).not.toThrow();
    expect(result?.success).toBe(false);
    if (result && !result.success) {
      expect(FixtureError.isInstance(result.error)).toBe(true);
      expect(result.error.code).toBe(code);
    }
  });
});

describe("FixtureError.isInstance", () => {
  it("recognises a FixtureError", () => {
    const error = new FixtureError({ code: "E_FIXTURE_INVALID", source: "x.json", issues: [{ path: "", message: "x.json: bad" }] });
    expect(FixtureError.isInstance(error)).toBe(true);
  });

  it("recognises an error from another copy of the package by its marker", () => {
    const foreign = { [Symbol.for("tau.gateway-contract.fixture-error")]: true, code: "E_FIXTURE_INVALID" };
    expect(FixtureError.isInstance(foreign)).toBe(true);
    expect(foreign instanceof FixtureError).toBe(false);
  });

  it.each([
    ["a plain Error", new Error("x.json: bad")],
    ["an object whose marker is not true", { [Symbol.for("tau.gateway-contract.fixture-error")]: "yes" }],
    ["an object with a look-alike string key", { "tau.gateway-contract.fixture-error": true }],
    ["null", null],
    ["undefined", undefined],
    ["a string", "FixtureError"],
  ])("rejects %s", (_label, value) => {
    expect(FixtureError.isInstance(value)).toBe(false);
  });
});

describe("parseFixture on hostile shapes", () => {
  it("still reports a duplicate case_id when another case has a fractional status_code", () => {
    const fixture = validFixture({
      cases: [
        successCase({ case_id: "dup" }),
        successCase({ case_id: "dup", endpoint: "/v1/other" }),
        successCase({ case_id: "fraction" }, { status_code: 200.5 }),
      ],
    });
    const paths = issuesOf(fixture).map((i) => i.path);
    expect(paths).toEqual(expect.arrayContaining(["cases[1].case_id", "cases[2].expected.status_code"]));
    expect(issuesOf(fixture).find((i) => i.path === "cases[2].expected.status_code")?.message).toContain(
      "must be an integer (found 200.5)",
    );
  });

  it("rejects a response_body nested deeper than 64 levels, naming the field", () => {
    let deep: Record<string, unknown> = { leaf: true };
    for (let i = 0; i < 1_000; i++) deep = { next: deep };
    const issues = issuesOf(validFixture({ cases: [successCase({}, { response_body: deep })] }));
    expect(issues).toHaveLength(1);
    expect(issues[0]?.message).toBe(`${INLINE_SOURCE}: ${CASE}expected.response_body must not nest deeper than 64 levels`);
  });

  it("accepts a body exactly 64 levels deep", () => {
    let deep: Record<string, unknown> = { leaf: 1 };
    for (let i = 1; i < 64; i++) deep = { next: deep };
    expect(() => parseInline(validFixture({ cases: [successCase({ body: deep })] }))).not.toThrow();
  });

  it("keeps a \"__proto__\" field of an expected response_body, so it is compared like any other", () => {
    const text = JSON.stringify(validFixture()).replace('"response_body":{', '"response_body":{"__proto__":{"x":1},');
    const body = parseFixture(text, INLINE_SOURCE).cases[0]?.expected.response_body as Record<string, unknown>;
    expect(Object.hasOwn(body, "__proto__")).toBe(true);
  });
});
