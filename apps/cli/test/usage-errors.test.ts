import { writeFile } from "node:fs/promises";
import { describe, expect, it } from "vitest";
import { DEFAULT_STATE_DIR, fixtureOf, hasStackTrace, successCase, workspace, type CliResult } from "./helpers";

/** A usage error: exit 2, one clear message on stderr, nothing on stdout, no stack trace. */
function expectUsageError(result: CliResult, ...fragments: string[]) {
  expect(result.code, result.stderr).toBe(2);
  expect(result.stdout).toBe("");
  expect(result.stderr).toMatch(/^error: /);
  for (const fragment of fragments) expect(result.stderr).toContain(fragment);
  expect(hasStackTrace(result.stderr)).toBe(false);
}

describe("bad flags and variables", { timeout: 30_000 }, () => {
  it.each([
    [["--gateway-queue-limit", "0"], "--gateway-queue-limit must be greater than 0"],
    [["--gateway-queue-limit", "-3"], "--gateway-queue-limit must be greater than 0"],
    [["--gateway-queue-limit", "abc"], '--gateway-queue-limit must be an integer (found "abc")'],
    [["--gateway-queue-limit", "2.5"], "--gateway-queue-limit must be an integer"],
    [["--gateway-guardrail-failure-streak-threshold", "0"], "--gateway-guardrail-failure-streak-threshold must be greater than 0"],
    [["--gateway-guardrail-retryable-failures-threshold", "0"], "--gateway-guardrail-retryable-failures-threshold must be greater than 0"],
    [["--gateway-processed-case-cap", "0"], "--gateway-processed-case-cap must be greater than 0"],
    [["--gateway-retry-base-delay-ms", "-1"], "--gateway-retry-base-delay-ms"],
    [["--gateway-queue-limit"], "--gateway-queue-limit needs a value"],
  ])("rejects %j with exit 2", async (args, message) => {
    const ws = await workspace(["mixed-outcomes.json"]);
    const result = await ws.run(["--gateway-contract-runner", ...args]);
    expectUsageError(result, message);
    // Rejected before anything touched the disk.
    expect(ws.exists(DEFAULT_STATE_DIR)).toBe(false);
  });

  it("names the variable when the bad value comes from the environment", async () => {
    const ws = await workspace(["mixed-outcomes.json"]);
    const result = await ws.run(["--gateway-contract-runner"], { env: { TAU_GATEWAY_RETRY_MAX_ATTEMPTS: "0" } });
    expectUsageError(result, "--gateway-retry-max-attempts", "TAU_GATEWAY_RETRY_MAX_ATTEMPTS", "must be greater than 0");
  });

  it("rejects an unknown flag with a suggestion", async () => {
    const ws = await workspace(["mixed-outcomes.json"]);
    const result = await ws.run(["--gateway-contract-runner", "--gateway-queu-limit", "3"]);
    expectUsageError(result, "unknown flag --gateway-queu-limit", "did you mean --gateway-queue-limit?");
  });

  it("rejects a call with no mode, two modes, or an unknown command", async () => {
    const ws = await workspace();
    expectUsageError(await ws.run([]), "nothing to do");
    expectUsageError(await ws.run(["--gateway-contract-runner", "--gateway-status-inspect"]), "--gateway-contract-runner", "--gateway-status-inspect");
    expectUsageError(await ws.run(["frobnicate"]), '"frobnicate"');
  });
});

describe("invalid fixtures", { timeout: 30_000 }, () => {
  it.each([
    ["invalid-blank-case-id.json", ["index 1", "case_id"]],
    ["invalid-missing-error-code.json", ['"gateway-unsupported-no-code"', "expected.error_code"]],
    ["invalid-success-status-code.json", ['"gateway-success-503"', "expected.status_code", "503"]],
    ["invalid-unknown-field.json", ['"gateway-typo"', "expcted"]],
    ["invalid-body-type.json", ['"gateway-array-body"', "body"]],
    ["invalid-outcome.json", ['"gateway-ok"', "expected.outcome", '"ok"']],
    ["invalid-schema-version.json", ["schema_version", "2"]],
    ["invalid-json-syntax.json", ["line 18", "column 3"]],
  ])("%s exits 2 naming the file, the case and the field", async (name, fragments) => {
    const ws = await workspace([name]);
    const path = `fixtures/gateway-contract/${name}`;
    const result = await ws.run(["--gateway-contract-runner", "--gateway-fixture", path]);
    expectUsageError(result, path, ...fragments);
    // An invalid fixture never starts a cycle.
    expect(ws.exists(DEFAULT_STATE_DIR)).toBe(false);
  });

  it("reports every problem of a fixture together", async () => {
    const ws = await workspace();
    const badStatus = successCase("bad-status");
    badStatus.expected.status_code = 503;
    const noEndpoint: Record<string, unknown> = { ...successCase("no-endpoint") };
    delete noEndpoint.endpoint;
    await ws.write("two-problems.json", fixtureOf("two-problems", [badStatus, noEndpoint]));
    const result = await ws.run(["run", "--gateway-fixture", "two-problems.json"]);
    expectUsageError(result, "two-problems.json", '"bad-status"', "expected.status_code", '"no-endpoint"', "endpoint");
  });

  it("exits 2 naming a fixture file that does not exist, including the default path", async () => {
    const ws = await workspace();
    expectUsageError(await ws.run(["--gateway-contract-runner", "--gateway-fixture", "missing.json"]), "missing.json");
    expectUsageError(await ws.run(["--gateway-contract-runner"]), "fixtures/gateway-contract/mixed-outcomes.json");
  });

  it("exits 2 for an empty fixture file", async () => {
    const ws = await workspace();
    await writeFile(ws.path("empty.json"), "");
    expectUsageError(await ws.run(["run", "--gateway-fixture", "empty.json"]), "empty.json");
  });
});

describe("inspect without state and internal errors", { timeout: 30_000 }, () => {
  it("exits 1 on a missing state dir and says to run the contract runner first", async () => {
    const ws = await workspace();
    for (const args of [
      ["--transport-health-inspect", "gateway"],
      ["--transport-health-inspect", "gateway", "--transport-health-json"],
      ["--gateway-status-inspect", "--gateway-status-json"],
    ]) {
      const result = await ws.run(["--gateway-state-dir", "no-such-dir", ...args]);
      expect(result.code).toBe(1);
      expect(result.stdout).toBe("");
      expect(result.stderr).toContain("run the contract runner first");
      expect(hasStackTrace(result.stderr)).toBe(false);
    }
    // Inspecting is read-only: it does not create the directory.
    expect(ws.exists("no-such-dir")).toBe(false);
  });

  it("shows an I/O error without a stack trace, and with one under --debug", async () => {
    const ws = await workspace(["mixed-outcomes.json"]);
    // A state dir that is a file cannot be created.
    await writeFile(ws.path("not-a-dir"), "x");
    const plain = await ws.run(["--gateway-contract-runner", "--gateway-state-dir", "not-a-dir"]);
    expect(plain.code).toBe(1);
    expect(plain.stderr).toMatch(/^error: .*not-a-dir/);
    expect(hasStackTrace(plain.stderr)).toBe(false);

    const debug = await ws.run(["--gateway-contract-runner", "--gateway-state-dir", "not-a-dir", "--debug"]);
    expect(debug.code).toBe(1);
    expect(debug.stderr).toMatch(/^error: .*not-a-dir/);
    expect(hasStackTrace(debug.stderr)).toBe(true);
  });
});
