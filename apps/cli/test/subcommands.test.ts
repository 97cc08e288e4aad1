import { describe, expect, it } from "vitest";
import { DEFAULT_STATE_DIR, fixtureOf, gateOf, healthOf, successCase, summaryOf, workspace } from "./helpers";

const ROOT = `${DEFAULT_STATE_DIR}/channel-store`;

describe("subcommands match their flag forms", { timeout: 30_000 }, () => {
  it("run gives the same cycle as --gateway-contract-runner", async () => {
    const viaFlag = await workspace(["mixed-outcomes.json"]);
    const viaCommand = await workspace(["mixed-outcomes.json"]);
    for (let i = 0; i < 2; i++) {
      const flag = await viaFlag.run(["--gateway-contract-runner"]);
      const command = await viaCommand.run(["run"]);
      expect(command.code).toBe(flag.code);
      expect(summaryOf(command.stdout)).toEqual(summaryOf(flag.stdout));
      expect(healthOf(command.stdout)).toEqual(healthOf(flag.stdout));
      expect(gateOf(command.stdout)).toEqual(gateOf(flag.stdout));
    }
  });

  it("health, status and channel-store inspect print exactly what the flag forms print", async () => {
    const ws = await workspace(["mixed-outcomes.json"]);
    await ws.run(["run"]);
    const pairs: [string[], string[]][] = [
      [["health"], ["--transport-health-inspect", "gateway"]],
      [["health", "gateway", "--json"], ["--transport-health-inspect", "gateway", "--transport-health-json"]],
      [["status"], ["--gateway-status-inspect"]],
      [["status", "--json"], ["--gateway-status-inspect", "--gateway-status-json"]],
      [["channel-store", "inspect", "gateway/ops-bot"], ["--channel-store-root", ROOT, "--channel-store-inspect", "gateway/ops-bot"]],
      [["channel-store", "inspect", "gateway/ops-bot", "--json"], ["--channel-store-inspect", "gateway/ops-bot", "--json"]],
    ];
    for (const [commandArgs, flagArgs] of pairs) {
      const command = await ws.run(commandArgs);
      const flag = await ws.run(flagArgs);
      expect(command.code, commandArgs.join(" ")).toBe(0);
      expect(flag.code, flagArgs.join(" ")).toBe(0);
      expect(command.stdout, commandArgs.join(" ")).toBe(flag.stdout);
    }
  });

  it("channel-store repair does what --channel-store-repair does", async () => {
    const ws = await workspace(["mixed-outcomes.json"]);
    await ws.run(["run"]);
    const repair = await ws.run(["channel-store", "repair", "gateway/ops-bot", "--json"]);
    expect(repair.code).toBe(0);
    expect(JSON.parse(repair.stdout)).toMatchObject({ log: { kept: 3, moved: 0 }, context: { kept: 3, moved: 0 } });
  });

  it("validate exits 0 for a valid fixture and 2 for an invalid one, without running anything", async () => {
    const ws = await workspace(["rollout-pass.json", "invalid-outcome.json", "mixed-outcomes.json"]);
    const valid = await ws.run(["validate", "fixtures/gateway-contract/rollout-pass.json"]);
    expect(valid.code).toBe(0);
    expect(valid.stdout).toContain("rollout-pass");
    expect(valid.stdout).toMatch(/3 cases/);

    const json = await ws.run(["validate", "fixtures/gateway-contract/rollout-pass.json", "--json"]);
    expect(JSON.parse(json.stdout)).toMatchObject({ valid: true, name: "rollout-pass", cases: 3 });

    // Without an argument it validates the default fixture.
    expect((await ws.run(["validate"])).code).toBe(0);

    const invalid = await ws.run(["validate", "fixtures/gateway-contract/invalid-outcome.json"]);
    expect(invalid.code).toBe(2);
    expect(invalid.stderr).toContain("invalid-outcome.json");
    expect(invalid.stderr).toContain('"gateway-ok"');
    expect(ws.exists(DEFAULT_STATE_DIR)).toBe(false);
  });

  it("validate accepts what run accepts and rejects what run rejects", async () => {
    const ws = await workspace();
    const blankMethod = successCase("x");
    blankMethod.method = "   ";
    await ws.write("good.json", fixtureOf("good", [successCase("a")]));
    await ws.write("bad.json", fixtureOf("bad", [blankMethod]));
    expect((await ws.run(["validate", "good.json"])).code).toBe((await ws.run(["run", "--gateway-fixture", "good.json"])).code);
    const validateBad = await ws.run(["validate", "bad.json"]);
    const runBad = await ws.run(["run", "--gateway-fixture", "bad.json", "--gateway-state-dir", "other"]);
    expect(validateBad.code).toBe(2);
    expect(runBad.code).toBe(2);
    expect(validateBad.stderr).toBe(runBad.stderr);
  });

  it("capabilities --json lists the schema version, outcomes, error codes and methods", async () => {
    const ws = await workspace();
    const caps = await ws.run(["capabilities", "--json"]);
    expect(caps.code).toBe(0);
    expect(JSON.parse(caps.stdout)).toMatchObject({
      schema_version: 1,
      outcomes: ["success", "malformed_input", "retryable_failure"],
      error_codes: ["gateway_invalid_request", "gateway_unsupported_method", "gateway_backend_unavailable"],
      methods: ["GET", "POST", "PUT", "PATCH", "DELETE"],
    });
    const text = await ws.run(["capabilities"]);
    expect(text.code).toBe(0);
    expect(text.stdout).toContain("gateway_backend_unavailable");
    expect(text.stdout).toContain("PATCH");
  });

  it("rejects a subcommand combined with a mode flag, and extra arguments", async () => {
    const ws = await workspace();
    const both = await ws.run(["status", "--gateway-contract-runner"]);
    expect(both.code).toBe(2);
    expect(both.stderr).toContain("not both");
    const extra = await ws.run(["status", "now"]);
    expect(extra.code).toBe(2);
    expect(extra.stderr).toContain('"now"');
  });
});
