import { execFileSync } from "node:child_process";
import { existsSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { PACKAGE_DIR } from "./helpers/paths";

// These tests load the built package the way a consumer does, so they need `dist/`: turbo runs
// `build` before `test`; by hand, run `npx tsup` first.
const BUILD_HINT = "dist/ is missing: build the package first (`npx tsup` in packages/gateway-contract)";

/** Runs a script in a fresh node from the package directory, so `@tau/gateway-contract` resolves through the workspace link. */
function runNode(args: string[]): unknown {
  const stdout = execFileSync(process.execPath, args, { cwd: PACKAGE_DIR, encoding: "utf8" });
  return JSON.parse(stdout);
}

const REPORT = `
  const report = (m, schema) => ({
    parseFixture: typeof m.parseFixture,
    safeParseFixture: typeof m.safeParseFixture,
    loadFixture: typeof m.loadFixture,
    evaluateCase: typeof m.evaluateCase,
    checkContract: typeof m.checkContract,
    FixtureError: typeof m.FixtureError,
    capabilities: m.capabilities,
    schemaId: schema.$id,
    parsedCases: m.parseFixture(JSON.stringify({
      schema_version: 1, name: "dist", cases: [{ case_id: "c", method: "post", endpoint: "/v1/tasks", actor_id: "a",
        expected: { outcome: "success", status_code: 201, response_body: { status: "accepted", method: "POST", endpoint: "/v1/tasks", actor_id: "a" } } }],
    })).cases.map((c) => m.checkContract(c, m.evaluateCase(c))),
  });
`;

const EXPECTED_REPORT = {
  parseFixture: "function",
  safeParseFixture: "function",
  loadFixture: "function",
  evaluateCase: "function",
  checkContract: "function",
  FixtureError: "function",
  capabilities: {
    schemaVersion: 1,
    schemaVersions: [1, 2],
    matchers: ["any", "string", "number", "integer", "boolean", "uuid", "iso8601", "regex:<pattern>"],
    outcomes: ["success", "malformed_input", "retryable_failure"],
    errorCodes: ["gateway_invalid_request", "gateway_unsupported_method", "gateway_backend_unavailable"],
    methods: ["GET", "POST", "PUT", "PATCH", "DELETE"],
  },
  schemaId: "https://tau.dev/schemas/gateway-contract/fixture.schema.json",
  parsedCases: [null],
};

describe("the built package", () => {
  it("has been built", () => {
    expect(existsSync(join(PACKAGE_DIR, "dist", "index.js")), BUILD_HINT).toBe(true);
    expect(existsSync(join(PACKAGE_DIR, "dist", "index.cjs")), BUILD_HINT).toBe(true);
  });

  it("can be imported as ESM, with the JSON Schema as a JSON module", () => {
    const script = `${REPORT}
      const m = await import("@tau/gateway-contract");
      const { default: schema } = await import("@tau/gateway-contract/schema/fixture.schema.json", { with: { type: "json" } });
      console.log(JSON.stringify(report(m, schema)));`;
    expect(runNode(["--no-warnings", "--input-type=module", "-e", script])).toEqual(EXPECTED_REPORT);
  });

  it("can be required as CommonJS, with the JSON Schema through require", () => {
    const script = `${REPORT}
      const m = require("@tau/gateway-contract");
      const schema = require("@tau/gateway-contract/schema/fixture.schema.json");
      console.log(JSON.stringify(report(m, schema)));`;
    expect(runNode(["--input-type=commonjs", "-e", script])).toEqual(EXPECTED_REPORT);
  });

  it("recognises a FixtureError thrown by the other build through FixtureError.isInstance", () => {
    // ESM and CJS builds are two copies of the class, as two installed versions would be.
    const script = `
      const cjs = require("@tau/gateway-contract");
      import("@tau/gateway-contract").then((esm) => {
        const result = esm.safeParseFixture("{", "x.json");
        console.log(JSON.stringify({
          sameClass: esm.FixtureError === cjs.FixtureError,
          instanceOf: result.error instanceof cjs.FixtureError,
          isInstance: cjs.FixtureError.isInstance(result.error),
          code: result.error.code,
        }));
      });`;
    expect(runNode(["--input-type=commonjs", "-e", script])).toEqual({
      sameClass: false,
      instanceOf: false,
      isInstance: true,
      code: "E_FIXTURE_JSON",
    });
  });
});
