import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { checkContract, evaluateCase, FixtureError, loadFixture, type FixtureErrorCode } from "../src/index";
import { FIXTURES_DIR } from "./helpers/paths";

/** One expected issue of a fixture file: its field path and the words its message must contain. */
interface ExpectedIssue {
  path: string;
  /** `case "<id>": ` or `case at index N: `; absent for fixture-level fields. */
  where?: string;
  /** The field as the message names it, then the expected/found wording. */
  says: string[];
}

interface InvalidFixtureRow {
  file: string;
  code: FixtureErrorCode;
  issues: ExpectedIssue[];
}

const CODES = '"gateway_invalid_request", "gateway_unsupported_method", "gateway_backend_unavailable"';

/** Every invalid example fixture, one rule of behavior.md §1 each. */
const INVALID_FIXTURES: InvalidFixtureRow[] = [
  {
    file: "invalid-json-syntax.json",
    code: "E_FIXTURE_JSON",
    issues: [{ path: "", says: ["not valid JSON at line 18, column 3", 'expected a value, found "]"'] }],
  },
  {
    file: "invalid-schema-version.json",
    code: "E_FIXTURE_INVALID",
    issues: [{ path: "schema_version", says: ["schema_version must be 1 or 2", "(found 3)"] }],
  },
  {
    file: "invalid-empty-name.json",
    code: "E_FIXTURE_INVALID",
    issues: [{ path: "name", says: ["name must be a non-empty string", '(found "   ")'] }],
  },
  {
    file: "invalid-no-cases.json",
    code: "E_FIXTURE_INVALID",
    issues: [{ path: "cases", says: ["cases must list at least one case", "(found an array of 0)"] }],
  },
  {
    file: "invalid-case-schema-version.json",
    code: "E_FIXTURE_INVALID",
    issues: [
      {
        path: "cases[0].schema_version",
        where: 'case "gateway-read-task": ',
        says: ["schema_version must be 1", "(found 2)"],
      },
    ],
  },
  {
    file: "invalid-blank-case-id.json",
    code: "E_FIXTURE_INVALID",
    issues: [
      {
        path: "cases[1].case_id",
        where: "case at index 1: ",
        says: ["case_id must be a non-empty string", '(found "   ")'],
      },
    ],
  },
  {
    file: "invalid-duplicate-case-id.json",
    code: "E_FIXTURE_INVALID",
    issues: [
      {
        path: "cases[1].case_id",
        where: 'case "gateway-dup": ',
        says: ["case_id must be unique", '"gateway-dup" is already used by the case at index 0'],
      },
    ],
  },
  {
    file: "invalid-blank-method.json",
    code: "E_FIXTURE_INVALID",
    issues: [
      {
        path: "cases[0].method",
        where: 'case "gateway-blank-method": ',
        says: ["method must be a non-empty HTTP method", '(found "  ")'],
      },
    ],
  },
  {
    file: "invalid-blank-endpoint.json",
    code: "E_FIXTURE_INVALID",
    issues: [
      {
        path: "cases[0].endpoint",
        where: 'case "gateway-blank-endpoint": ',
        says: ["endpoint must be a non-empty path", '(found "")'],
      },
    ],
  },
  {
    file: "invalid-missing-actor-id.json",
    code: "E_FIXTURE_INVALID",
    issues: [
      {
        path: "cases[0].actor_id",
        where: 'case "gateway-no-actor": ',
        says: ["actor_id is required", "(found nothing: the field is missing)"],
      },
    ],
  },
  {
    file: "invalid-body-type.json",
    code: "E_FIXTURE_INVALID",
    issues: [
      {
        path: "cases[0].body",
        where: 'case "gateway-array-body": ',
        says: ["body must be a JSON object or null", "(found an array of 2)"],
      },
    ],
  },
  {
    file: "invalid-simulate-type.json",
    code: "E_FIXTURE_INVALID",
    issues: [
      {
        path: "cases[0].simulate_retryable_failure",
        where: 'case "gateway-retryable-backend": ',
        says: ["simulate_retryable_failure must be true or false", '(found "true")'],
      },
    ],
  },
  {
    file: "invalid-outcome.json",
    code: "E_FIXTURE_INVALID",
    issues: [
      {
        path: "cases[0].expected.outcome",
        where: 'case "gateway-ok": ',
        says: ['expected.outcome must be one of "success", "malformed_input", "retryable_failure"', '(found "ok")'],
      },
    ],
  },
  {
    file: "invalid-status-code-type.json",
    code: "E_FIXTURE_INVALID",
    issues: [
      {
        path: "cases[0].expected.status_code",
        where: 'case "gateway-string-status": ',
        says: ["expected.status_code must be a number", '(found "200")'],
      },
    ],
  },
  {
    file: "invalid-success-status-code.json",
    code: "E_FIXTURE_INVALID",
    issues: [
      {
        path: "cases[0].expected.status_code",
        where: 'case "gateway-success-503": ',
        says: ['expected.status_code must be 2xx for outcome "success"', "(found 503)"],
      },
    ],
  },
  {
    file: "invalid-failure-status-code.json",
    code: "E_FIXTURE_INVALID",
    issues: [
      {
        path: "cases[0].expected.status_code",
        where: 'case "gateway-unsupported-200": ',
        says: ['expected.status_code must be 400 or greater for outcome "malformed_input"', "(found 200)"],
      },
    ],
  },
  {
    file: "invalid-success-error-code.json",
    code: "E_FIXTURE_INVALID",
    issues: [
      {
        path: "cases[0].expected.error_code",
        where: 'case "gateway-success-with-error": ',
        says: ['expected.error_code must be empty or absent for outcome "success"', '(found "gateway_invalid_request")'],
      },
    ],
  },
  {
    file: "invalid-missing-error-code.json",
    code: "E_FIXTURE_INVALID",
    issues: [
      {
        path: "cases[0].expected.error_code",
        where: 'case "gateway-unsupported-no-code": ',
        says: [`expected.error_code is required for outcome "malformed_input": one of ${CODES}`, "(found nothing: the field is missing)"],
      },
    ],
  },
  {
    file: "invalid-error-code.json",
    code: "E_FIXTURE_INVALID",
    issues: [
      {
        path: "cases[0].expected.error_code",
        where: 'case "gateway-bad-error-code": ',
        says: [`expected.error_code must be one of ${CODES}`, '(found "gateway_teapot")'],
      },
    ],
  },
  {
    file: "invalid-simulate-without-retryable.json",
    code: "E_FIXTURE_INVALID",
    issues: [
      {
        path: "cases[0].simulate_retryable_failure",
        where: 'case "gateway-simulate-success": ',
        says: ['simulate_retryable_failure is true, so expected.outcome must be "retryable_failure"', '(found "success")'],
      },
    ],
  },
  {
    file: "invalid-retryable-without-simulate.json",
    code: "E_FIXTURE_INVALID",
    issues: [
      {
        path: "cases[0].simulate_retryable_failure",
        where: 'case "gateway-retryable-no-simulate": ',
        says: ['simulate_retryable_failure must be true for outcome "retryable_failure"', "(found false)"],
      },
    ],
  },
  {
    file: "invalid-unsupported-method-for-success.json",
    code: "E_FIXTURE_INVALID",
    issues: [
      {
        path: "cases[0].method",
        where: 'case "gateway-trace-success": ',
        says: ['method must be one of GET, POST, PUT, PATCH, DELETE for outcome "success"', '(found "TRACE")'],
      },
    ],
  },
  {
    file: "invalid-response-body-type.json",
    code: "E_FIXTURE_INVALID",
    issues: [
      {
        path: "cases[0].expected.response_body",
        where: 'case "gateway-string-response": ',
        says: ["expected.response_body must be a JSON object", '(found "accepted")'],
      },
    ],
  },
  {
    file: "invalid-unknown-field.json",
    code: "E_FIXTURE_INVALID",
    issues: [
      {
        path: "cases[0].expected",
        where: 'case "gateway-typo": ',
        says: ["expected is required", "(found nothing: the field is missing)"],
      },
      {
        path: "cases[0].expcted",
        where: 'case "gateway-typo": ',
        says: ["expcted is not a known field", "allowed here: schema_version, case_id, method, endpoint, actor_id, body, simulate_retryable_failure, expected"],
      },
    ],
  },
];

const VALID_FIXTURES = ["mixed-outcomes.json", "rollout-pass.json", "drift-success-body.json", "v2-volatile-values.json"];

const fixtureFiles = () => readdirSync(FIXTURES_DIR).filter((name) => name.endsWith(".json")).sort();

async function rejectionOf(file: string): Promise<FixtureError> {
  const path = join(FIXTURES_DIR, file);
  try {
    await loadFixture(path);
  } catch (error) {
    if (FixtureError.isInstance(error)) return error;
    throw error;
  }
  return expect.unreachable(`${file} loaded, but it must be rejected`);
}

describe("fixtures/gateway-contract", () => {
  it("has a row below for every invalid-*.json file, and a file for every row", () => {
    const onDisk = fixtureFiles().filter((name) => name.startsWith("invalid-"));
    expect(INVALID_FIXTURES.map((row) => row.file).sort()).toEqual(onDisk);
  });

  it("has no fixture file that is neither listed as valid nor named invalid-*", () => {
    const others = fixtureFiles().filter((name) => !name.startsWith("invalid-"));
    expect(others).toEqual([...VALID_FIXTURES].sort());
  });

  describe.each(INVALID_FIXTURES)("$file", ({ file, code, issues }) => {
    it("is rejected by loadFixture with a message naming the file, the case and the field", async () => {
      const error = await rejectionOf(file);
      const path = join(FIXTURES_DIR, file);
      expect(error.code).toBe(code);
      expect(error.source).toBe(path);
      expect(error.issues.map((issue) => issue.path)).toEqual(issues.map((issue) => issue.path));
      issues.forEach((want, n) => {
        const message = error.issues[n]?.message ?? "";
        expect(message.startsWith(`${path}: ${want.where ?? ""}`), message).toBe(true);
        if (want.where === undefined) expect(message).not.toMatch(/: case /);
        for (const words of want.says) expect(message).toContain(words);
      });
    });

    it("says at its top why it is rejected", () => {
      const text = readFileSync(join(FIXTURES_DIR, file), "utf8");
      expect(text).toContain('"$schema": "../../packages/gateway-contract/schema/fixture.schema.json"');
      expect(text).toMatch(/"description": "Rejected[^"]*/);
    });
  });

  describe.each(VALID_FIXTURES)("%s", (file) => {
    it("loads", async () => {
      const fixture = await loadFixture(join(FIXTURES_DIR, file));
      expect(fixture.cases.length).toBeGreaterThan(0);
    });
  });

  it.each(["mixed-outcomes.json", "rollout-pass.json"])(
    "%s agrees with the simulated gateway on every case",
    async (file) => {
      const fixture = await loadFixture(join(FIXTURES_DIR, file));
      for (const gatewayCase of fixture.cases) expect(checkContract(gatewayCase, evaluateCase(gatewayCase))).toBeNull();
    },
  );

  it("drift-success-body.json parses but drifts at run time on the response body status", async () => {
    const fixture = await loadFixture(join(FIXTURES_DIR, "drift-success-body.json"));
    const drifts = fixture.cases.map((gatewayCase) => checkContract(gatewayCase, evaluateCase(gatewayCase)));
    expect(drifts).toEqual([
      {
        case_id: "gateway-create-drift",
        case_key: "POST:/v1/tasks:gateway-create-drift",
        differences: [{ field: "response_body", pointer: "/status", expected: "created", observed: "accepted" }],
      },
    ]);
  });

  it("v2-volatile-values.json agrees with the simulated gateway through matchers and ignores, except its pending case", async () => {
    const fixture = await loadFixture(join(FIXTURES_DIR, "v2-volatile-values.json"));
    expect(fixture.schema_version).toBe(2);
    const drifts = fixture.cases.map((gatewayCase) => checkContract(gatewayCase, evaluateCase(gatewayCase)));
    expect(drifts.slice(0, 2)).toEqual([null, null]);
    expect(drifts[2]).toMatchObject({ case_id: "v2-archive-task", pending: true });
    expect(fixture.cases.map((c) => c.tags)).toEqual([["smoke", "tasks"], ["smoke"], ["tasks"]]);
  });
});
