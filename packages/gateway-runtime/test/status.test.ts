import { appendFile, mkdir, readFile, rm, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { GatewayRuntime, GatewayRuntimeError, readGatewayStatus, readTransportHealth } from "../src";
import { loadSharedFixture } from "./helpers/fixtures";
import { manualClock, openRuntime, readStateJson } from "./helpers/runtime";
import { makeStateDir } from "./helpers/temp-dir";

const T0 = 1_700_000_000_000;

/** Runs mixed-outcomes.json `runs` times on a fresh state dir, one second apart. */
async function mixedOutcomesStateDir(runs: number): Promise<string> {
  const stateDir = await makeStateDir();
  const clock = manualClock(T0);
  const runtime = await openRuntime({ stateDir, clock: clock.clock });
  const fixture = await loadSharedFixture("mixed-outcomes");
  for (let run = 0; run < runs; run++) {
    clock.now = T0 + run * 1_000;
    await runtime.runCycle(fixture);
  }
  await runtime.close();
  return stateDir;
}

async function rejectionOf(promise: Promise<unknown>): Promise<GatewayRuntimeError> {
  try {
    await promise;
  } catch (error) {
    if (GatewayRuntimeError.isInstance(error)) return error;
    throw error;
  }
  return expect.unreachable("expected a GatewayRuntimeError");
}

describe("readGatewayStatus (behavior.md §8)", () => {
  it("reports every field after the three-run mixed-outcomes sequence", async () => {
    const stateDir = await mixedOutcomesStateDir(3);
    const state = await readStateJson(stateDir);

    expect(await readGatewayStatus(stateDir)).toEqual({
      state_path: join(stateDir, "state.json"),
      events_log_path: join(stateDir, "runtime-events.jsonl"),
      events_log_present: true,
      events_log_files: 1,
      health_state: "failing",
      health_reason: "transport failures are sustained (failure_streak=3)",
      rollout_gate: "hold",
      rollout_reason_code: "failure_streak_threshold_exceeded",
      processed_case_count: 2,
      request_count: 1,
      method_counts: { POST: 1 },
      status_code_counts: { "201": 1 },
      error_code_counts: {},
      guardrail_failure_streak_threshold: 2,
      guardrail_retryable_failures_threshold: 2,
      guardrail_failure_streak: 3,
      guardrail_last_failed_cases: 1,
      guardrail_last_retryable_failures: 4,
      cycle_reports: 3,
      invalid_cycle_reports: 0,
      last_reason_codes: [
        "duplicate_cases_skipped",
        "retry_attempted",
        "retryable_failures_observed",
        "case_processing_failed",
      ],
      // Summed over all three lines.
      reason_code_counts: {
        case_processing_failed: 3,
        duplicate_cases_skipped: 2,
        malformed_inputs_observed: 1,
        retry_attempted: 3,
        retryable_failures_observed: 3,
      },
      health: state.health,
    });
  });

  it("counts requests by method and status code", async () => {
    const stateDir = await makeStateDir();
    const runtime = await openRuntime({ stateDir });
    await runtime.runCycle(await loadSharedFixture("rollout-pass"));
    await runtime.runCycle(await loadSharedFixture("mixed-outcomes"));

    const status = await readGatewayStatus(stateDir);
    expect(status.request_count).toBe(4);
    expect(status.method_counts).toEqual({ DELETE: 1, GET: 1, POST: 2 });
    expect(status.status_code_counts).toEqual({ "200": 1, "201": 2, "202": 1 });
  });

  it("counts methods upper-cased and trimmed, error codes trimmed, and skips status 0 and empty values (§8)", async () => {
    const stateDir = await mixedOutcomesStateDir(1);
    const state = await readStateJson(stateDir);
    const [record] = state.requests as Record<string, unknown>[];
    const variant = (key: string, method: string, status: number, errorCode: string) => ({
      ...record,
      case_key: key,
      method,
      status_code: status,
      error_code: errorCode,
    });
    state.requests = [
      variant("a", "get", 200, ""),
      variant("b", " GET ", 200, " "),
      variant("c", "GET", 404, " gateway_invalid_request "),
      variant("d", "   ", 0, "gateway_invalid_request"),
      variant("e", "Post", 0, ""),
    ];
    await writeFile(join(stateDir, "state.json"), JSON.stringify(state));

    const status = await readGatewayStatus(stateDir);
    expect(status.method_counts).toEqual({ GET: 3, POST: 1 });
    expect(status.status_code_counts).toEqual({ "200": 2, "404": 1 });
    expect(status.error_code_counts).toEqual({ gateway_invalid_request: 2 });
  });

  it("takes health_state and health_reason from the last events line", async () => {
    const stateDir = await mixedOutcomesStateDir(3);
    await appendFile(
      join(stateDir, "runtime-events.jsonl"),
      `${JSON.stringify({ health_state: "healthy", health_reason: "written by hand", reason_codes: ["healthy_cycle"] })}\n`,
    );

    const status = await readGatewayStatus(stateDir);
    expect(status).toMatchObject({
      health_state: "healthy",
      health_reason: "written by hand",
      last_reason_codes: ["healthy_cycle"],
      cycle_reports: 4,
    });
    expect(status.reason_code_counts.healthy_cycle).toBe(1);
  });

  it("classifies the stored health when the events log is missing", async () => {
    const stateDir = await mixedOutcomesStateDir(1);
    await rm(join(stateDir, "runtime-events.jsonl"));

    expect(await readGatewayStatus(stateDir)).toMatchObject({
      events_log_present: false,
      events_log_files: 0,
      health_state: "degraded",
      health_reason: "recent transport failures observed (failure_streak=1, last_cycle_failed=1)",
      cycle_reports: 0,
      invalid_cycle_reports: 0,
      last_reason_codes: [],
      reason_code_counts: {},
      rollout_gate: "hold",
      rollout_reason_code: "retryable_failures_threshold_exceeded",
    });
  });

  it("counts garbage, non-object and torn lines as invalid and skips blank ones, never failing", async () => {
    const stateDir = await mixedOutcomesStateDir(2);
    const events = join(stateDir, "runtime-events.jsonl");
    await appendFile(events, "not json at all\n\n   \n42\n");
    await appendFile(events, Buffer.from([0xff, 0xfe, 0x7b, 0x7d, 0x0a])); // invalid UTF-8
    await appendFile(events, '{"health_state": "heal'); // torn by a crash: no newline

    const status = await readGatewayStatus(stateDir);
    expect(status).toMatchObject({ cycle_reports: 2, invalid_cycle_reports: 4, health_state: "degraded" });
    expect(status.reason_code_counts.duplicate_cases_skipped).toBe(1);
  });

  it("reads the next cycle's line after a torn one", async () => {
    const stateDir = await mixedOutcomesStateDir(1);
    await appendFile(join(stateDir, "runtime-events.jsonl"), '{"torn": tr');
    const runtime = await openRuntime({ stateDir });
    await runtime.runCycle(await loadSharedFixture("rollout-pass"));

    const status = await readGatewayStatus(stateDir);
    expect(status).toMatchObject({ cycle_reports: 2, invalid_cycle_reports: 1, health_state: "healthy" });
    expect(status.last_reason_codes).toEqual(["healthy_cycle"]);
  });

  it("reads a long events log", async () => {
    const stateDir = await mixedOutcomesStateDir(1);
    const events = join(stateDir, "runtime-events.jsonl");
    const line = (await readFile(events, "utf8")).trimEnd();
    await appendFile(events, `${line}\n`.repeat(20_000));

    const status = await readGatewayStatus(stateDir);
    expect(status.cycle_reports).toBe(20_001);
    expect(status.reason_code_counts.case_processing_failed).toBe(20_001);
  });

  it("fails with E_STATE_NOT_FOUND, saying to run the contract runner first, when the state dir is missing", async () => {
    const stateDir = await makeStateDir();
    const error = await rejectionOf(readGatewayStatus(stateDir));
    expect(error.code).toBe("E_STATE_NOT_FOUND");
    expect(error.message).toContain("run the contract runner first");
    expect(error.message).toContain(stateDir);
  });

  it("fails with E_STATE_NOT_FOUND when the state dir has never completed a cycle", async () => {
    const stateDir = await makeStateDir();
    await (await GatewayRuntime.open({ stateDir })).close();
    const error = await rejectionOf(readGatewayStatus(stateDir));
    expect(error.code).toBe("E_STATE_NOT_FOUND");
  });

  it("reports a corrupt state.json without moving it (inspecting is read-only)", async () => {
    const stateDir = await makeStateDir();
    await mkdir(stateDir, { recursive: true });
    await writeFile(join(stateDir, "state.json"), "{ torn");

    const error = await rejectionOf(readGatewayStatus(stateDir));
    expect(error.code).toBe("E_STATE_CORRUPT");
    expect(await readFile(join(stateDir, "state.json"), "utf8")).toBe("{ torn");
  });

  it("reads a state dir while a runner holds it", async () => {
    const stateDir = await mixedOutcomesStateDir(1);
    await openRuntime({ stateDir });
    await expect(readGatewayStatus(stateDir)).resolves.toMatchObject({ cycle_reports: 1 });
  });
});

describe("readTransportHealth (behavior.md §8)", () => {
  it("returns one gateway row with the stored health snapshot", async () => {
    const stateDir = await mixedOutcomesStateDir(2);
    const state = await readStateJson(stateDir);

    const rows = await readTransportHealth(stateDir);
    expect(rows).toHaveLength(1);
    expect(rows[0]).toMatchObject({
      transport: "gateway",
      target: "gateway-service",
      state_path: join(stateDir, "state.json"),
      health: state.health,
    });
    expect(state.health).toMatchObject({
      updated_unix_ms: T0 + 1_000,
      queue_depth: 0,
      active_runs: 0,
      failure_streak: 2,
      last_cycle_discovered: 3,
      last_cycle_processed: 3,
      last_cycle_completed: 0,
      last_cycle_failed: 1,
      last_cycle_duplicates: 2,
    });
  });

  it("fails with E_STATE_NOT_FOUND when there is no state yet", async () => {
    const error = await rejectionOf(readTransportHealth(await makeStateDir()));
    expect(error.code).toBe("E_STATE_NOT_FOUND");
    expect(error.message).toContain("run the contract runner first");
  });
});
