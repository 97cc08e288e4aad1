import { describe, expect, it } from "vitest";
import { workspace } from "./helpers";

// Behaviours of the original runner's own test-suite, re-run against this CLI.
describe("parity with the original runner", { timeout: 60_000 }, () => {
  it("compares the --transport-health-inspect target trimmed and case-insensitively", async () => {
    const ws = await workspace(["mixed-outcomes.json"]);
    await ws.run(["run"]);
    const exact = await ws.run(["--transport-health-inspect", "gateway"]);
    for (const target of [" gateway ", "Gateway", "GATEWAY", "\tgateway\n"]) {
      const result = await ws.run(["--transport-health-inspect", target]);
      expect(result.code, JSON.stringify(target)).toBe(0);
      expect(result.stdout).toBe(exact.stdout);
    }
    const other = await ws.run(["--transport-health-inspect", "slack"]);
    expect(other.code).toBe(2);
    expect(other.stderr).toContain('unsupported transport "slack"');
  });

  it("accepts --gateway-status-json=true|false and --transport-health-json=… value forms", async () => {
    const ws = await workspace(["mixed-outcomes.json"]);
    await ws.run(["run"]);
    const json = (await ws.run(["--gateway-status-inspect", "--gateway-status-json"])).stdout;
    const text = (await ws.run(["--gateway-status-inspect"])).stdout;
    expect((await ws.run(["--gateway-status-inspect", "--gateway-status-json=true"])).stdout).toBe(json);
    expect((await ws.run(["--gateway-status-inspect", "--gateway-status-json=false"])).stdout).toBe(text);
    expect((await ws.run(["--gateway-status-inspect=true", "--gateway-status-json=1"])).stdout).toBe(json);
    const health = (await ws.run(["--transport-health-inspect", "gateway", "--transport-health-json"])).stdout;
    expect((await ws.run(["--transport-health-inspect", "gateway", "--transport-health-json=yes"])).stdout).toBe(health);
    expect((await ws.run(["--transport-health-inspect", "gateway", "--transport-health-json=off"])).stdout).not.toBe(health);

    const bad = await ws.run(["--gateway-status-inspect", "--gateway-status-json=maybe"]);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toContain('--gateway-status-json must be true or false (found "maybe")');
    // A mode switch set to false selects nothing.
    expect((await ws.run(["--gateway-status-inspect=false"])).stderr).toContain("nothing to do");
  });

  it.each([
    [{ TAU_GATEWAY_CONTRACT_RUNNER: "1" }, /^gateway runner summary:/m],
    [{ TAU_GATEWAY_STATUS_INSPECT: "true" }, /^gateway status inspect: /],
    [{ TAU_GATEWAY_STATUS_INSPECT: "1", TAU_GATEWAY_STATUS_JSON: "true" }, /^\{\n {2}"state_path"/],
    [{ TAU_TRANSPORT_HEALTH_INSPECT: "gateway" }, /^transport=gateway /],
    [{ TAU_TRANSPORT_HEALTH_INSPECT: "gateway", TAU_TRANSPORT_HEALTH_JSON: "yes" }, /^\[\n {2}\{\n {4}"transport": "gateway"/],
    [{ TAU_CHANNEL_STORE_INSPECT: "gateway/ops-bot" }, /^transport=gateway channel_id=ops-bot /],
    [{ TAU_CHANNEL_STORE_REPAIR: "gateway/ops-bot" }, /^channel gateway\/ops-bot /],
  ])("selects the mode from %j when the command line names none", async (env, output) => {
    const ws = await workspace(["mixed-outcomes.json"]);
    await ws.run(["run"]);
    const result = await ws.run([], { env });
    expect(result.code, result.stderr).toBe(0);
    expect(result.stdout).toMatch(output);
  });

  it("lets the command line beat a mode variable, and refuses two mode variables", async () => {
    const ws = await workspace(["mixed-outcomes.json"]);
    await ws.run(["run"]);
    const status = await ws.run(["status"], { env: { TAU_GATEWAY_CONTRACT_RUNNER: "1" } });
    expect(status.stdout).toMatch(/^gateway status inspect: /);
    const off = await ws.run([], { env: { TAU_GATEWAY_CONTRACT_RUNNER: "0" } });
    expect(off.stderr).toContain("nothing to do");
    const two = await ws.run([], { env: { TAU_GATEWAY_CONTRACT_RUNNER: "1", TAU_GATEWAY_STATUS_INSPECT: "1" } });
    expect(two.code).toBe(2);
    expect(two.stderr).toContain("TAU_GATEWAY_CONTRACT_RUNNER and TAU_GATEWAY_STATUS_INSPECT");
  });

  it("starts the status text with a `gateway status inspect:` line", async () => {
    const ws = await workspace(["mixed-outcomes.json"]);
    await ws.run(["run"]);
    for (const args of [["status"], ["--gateway-status-inspect"]]) {
      const first = (await ws.run(args)).stdout.split("\n")[0];
      expect(first).toMatch(/^gateway status inspect: state_path=\S+ health_state=degraded rollout_gate=hold rollout_reason_code=retryable_failures_threshold_exceeded$/);
    }
  });
});
