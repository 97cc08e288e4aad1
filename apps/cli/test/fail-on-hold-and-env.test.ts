import { describe, expect, it } from "vitest";
import { DEFAULT_STATE_DIR, gateOf, summaryOf, workspace } from "./helpers";

const ROLLOUT_PASS = "fixtures/gateway-contract/rollout-pass.json";

describe("--gateway-fail-on-hold", { timeout: 30_000 }, () => {
  it("exits 0 on a hold gate without the flag", async () => {
    const ws = await workspace(["mixed-outcomes.json"]);
    const run = await ws.run(["--gateway-contract-runner"]);
    expect(gateOf(run.stdout).rollout_gate).toBe("hold");
    expect(run.code).toBe(0);
  });

  it("exits 3 on a hold gate with the flag, and still persists the cycle", async () => {
    const ws = await workspace(["mixed-outcomes.json"]);
    const run = await ws.run(["--gateway-contract-runner", "--gateway-fail-on-hold"]);
    expect(run.code).toBe(3);
    expect(gateOf(run.stdout).rollout_gate).toBe("hold");
    expect(ws.exists(`${DEFAULT_STATE_DIR}/state.json`)).toBe(true);
    expect(await ws.readJsonl(`${DEFAULT_STATE_DIR}/runtime-events.jsonl`)).toHaveLength(1);
  });

  it("exits 0 with the flag when the gate passes (rollout-pass.json)", async () => {
    const ws = await workspace(["rollout-pass.json"]);
    const run = await ws.run(["--gateway-contract-runner", "--gateway-fail-on-hold", "--gateway-fixture", ROLLOUT_PASS]);
    expect(gateOf(run.stdout)).toMatchObject({ rollout_gate: "pass", rollout_reason_code: "guardrail_checks_passing" });
    expect(run.code).toBe(0);
  });

  it("can be switched on with TAU_GATEWAY_FAIL_ON_HOLD=1", async () => {
    const ws = await workspace(["mixed-outcomes.json"]);
    const run = await ws.run(["--gateway-contract-runner"], { env: { TAU_GATEWAY_FAIL_ON_HOLD: "1" } });
    expect(run.code).toBe(3);
  });

  it("is off with TAU_GATEWAY_FAIL_ON_HOLD=0 and rejects a value that is not a boolean", async () => {
    const ws = await workspace(["mixed-outcomes.json"]);
    expect((await ws.run(["--gateway-contract-runner"], { env: { TAU_GATEWAY_FAIL_ON_HOLD: "0" } })).code).toBe(0);
    const bad = await ws.run(["--gateway-contract-runner"], { env: { TAU_GATEWAY_FAIL_ON_HOLD: "maybe" } });
    expect(bad.code).toBe(2);
    expect(bad.stderr).toContain("TAU_GATEWAY_FAIL_ON_HOLD");
  });
});

describe("environment variables", { timeout: 30_000 }, () => {
  it("reads TAU_GATEWAY_QUEUE_LIMIT when the flag is absent", async () => {
    const ws = await workspace(["mixed-outcomes.json"]);
    const run = await ws.run(["--gateway-contract-runner"], { env: { TAU_GATEWAY_QUEUE_LIMIT: "1" } });
    expect(summaryOf(run.stdout)).toMatchObject({ discovered: 3, queued: 1 });
  });

  it("lets --gateway-queue-limit beat TAU_GATEWAY_QUEUE_LIMIT", async () => {
    const ws = await workspace(["mixed-outcomes.json"]);
    const run = await ws.run(["--gateway-contract-runner", "--gateway-queue-limit", "3"], { env: { TAU_GATEWAY_QUEUE_LIMIT: "1" } });
    expect(run.code).toBe(0);
    expect(summaryOf(run.stdout)).toMatchObject({ discovered: 3, queued: 3 });
  });

  it("does not validate a variable that its flag overrides", async () => {
    const ws = await workspace(["mixed-outcomes.json"]);
    const run = await ws.run(["--gateway-contract-runner", "--gateway-queue-limit", "3"], { env: { TAU_GATEWAY_QUEUE_LIMIT: "zero" } });
    expect(run.code).toBe(0);
  });

  it("picks the state dir from TAU_GATEWAY_STATE_DIR, and --gateway-state-dir beats it", async () => {
    const ws = await workspace(["mixed-outcomes.json"]);
    const fromEnv = await ws.run(["--gateway-contract-runner"], { env: { TAU_GATEWAY_STATE_DIR: "state-from-env" } });
    expect(fromEnv.code).toBe(0);
    expect(ws.exists("state-from-env/state.json")).toBe(true);
    expect(ws.exists(DEFAULT_STATE_DIR)).toBe(false);

    const fromFlag = await ws.run(["--gateway-contract-runner", "--gateway-state-dir", "state-from-flag"], {
      env: { TAU_GATEWAY_STATE_DIR: "state-from-env" },
    });
    expect(fromFlag.code).toBe(0);
    expect(ws.exists("state-from-flag/state.json")).toBe(true);
    // The env dir saw only its own run.
    expect(await ws.readJsonl("state-from-env/runtime-events.jsonl")).toHaveLength(1);

    const status = await ws.run(["--gateway-status-inspect", "--gateway-status-json"], { env: { TAU_GATEWAY_STATE_DIR: "state-from-env" } });
    expect(status.code).toBe(0);
    expect(JSON.parse(status.stdout).state_path).toBe("state-from-env/state.json");
  });

  it("reads the fixture and the guardrail thresholds from their variables", async () => {
    const ws = await workspace(["rollout-pass.json", "mixed-outcomes.json"]);
    const fixture = await ws.run(["--gateway-contract-runner"], { env: { TAU_GATEWAY_FIXTURE: ROLLOUT_PASS } });
    expect(summaryOf(fixture.stdout)).toMatchObject({ discovered: 3, applied: 3 });

    const thresholds = await ws.run(["--gateway-contract-runner", "--gateway-state-dir", "other"], {
      env: { TAU_GATEWAY_GUARDRAIL_RETRYABLE_FAILURES_THRESHOLD: "10" },
    });
    expect(gateOf(thresholds.stdout)).toMatchObject({ rollout_gate: "hold", rollout_reason_code: "malformed_input_observed" });
  });
});
