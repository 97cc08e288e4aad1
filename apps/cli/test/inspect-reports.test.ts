import { resolve } from "node:path";
import { appendFile, rm } from "node:fs/promises";
import { describe, expect, it } from "vitest";
import { DEFAULT_STATE_DIR, keyValuesOf, workspace } from "./helpers";

const STATUS_FIELDS = [
  "state_path",
  "events_log_path",
  "events_log_present",
  "events_log_files",
  "health_state",
  "health_reason",
  "rollout_gate",
  "rollout_reason_code",
  "processed_case_count",
  "request_count",
  "method_counts",
  "status_code_counts",
  "error_code_counts",
  "guardrail_failure_streak_threshold",
  "guardrail_retryable_failures_threshold",
  "guardrail_failure_streak",
  "guardrail_last_failed_cases",
  "guardrail_last_retryable_failures",
  "cycle_reports",
  "invalid_cycle_reports",
  "last_reason_codes",
  "reason_code_counts",
  "health",
];

const HEALTH_FIELDS = [
  "updated_unix_ms",
  "cycle_duration_ms",
  "queue_depth",
  "active_runs",
  "failure_streak",
  "last_cycle_discovered",
  "last_cycle_processed",
  "last_cycle_completed",
  "last_cycle_failed",
  "last_cycle_duplicates",
];

const RUN_ONE_CODES = ["malformed_inputs_observed", "retry_attempted", "retryable_failures_observed", "case_processing_failed"];
const RUN_TWO_CODES = ["duplicate_cases_skipped", "retry_attempted", "retryable_failures_observed", "case_processing_failed"];

describe("--gateway-status-inspect", { timeout: 30_000 }, () => {
  it("reports every field of behavior.md §8 as JSON after one run of mixed-outcomes.json", async () => {
    const ws = await workspace(["mixed-outcomes.json"]);
    await ws.run(["--gateway-contract-runner"]);
    const inspect = await ws.run(["--gateway-status-inspect", "--gateway-status-json"]);
    expect(inspect.code).toBe(0);
    expect(inspect.stderr).toBe("");
    const status = JSON.parse(inspect.stdout) as Record<string, unknown>;
    expect(Object.keys(status)).toEqual(expect.arrayContaining(STATUS_FIELDS));

    expect(resolve(ws.dir, status.state_path as string)).toBe(ws.path(DEFAULT_STATE_DIR, "state.json"));
    expect(resolve(ws.dir, status.events_log_path as string)).toBe(ws.path(DEFAULT_STATE_DIR, "runtime-events.jsonl"));
    expect(status).toMatchObject({
      events_log_present: true,
      health_state: "degraded",
      health_reason: "recent transport failures observed (failure_streak=1, last_cycle_failed=1)",
      rollout_gate: "hold",
      rollout_reason_code: "retryable_failures_threshold_exceeded",
      processed_case_count: 2,
      request_count: 1,
      method_counts: { POST: 1 },
      status_code_counts: { "201": 1 },
      error_code_counts: {},
      guardrail_failure_streak_threshold: 2,
      guardrail_retryable_failures_threshold: 2,
      guardrail_failure_streak: 1,
      guardrail_last_failed_cases: 1,
      guardrail_last_retryable_failures: 4,
      cycle_reports: 1,
      invalid_cycle_reports: 0,
      last_reason_codes: RUN_ONE_CODES,
      reason_code_counts: Object.fromEntries(RUN_ONE_CODES.map((code) => [code, 1])),
    });
    const health = status.health as Record<string, unknown>;
    expect(Object.keys(health)).toEqual(expect.arrayContaining(HEALTH_FIELDS));
    expect(health).toMatchObject({
      queue_depth: 0,
      active_runs: 0,
      failure_streak: 1,
      last_cycle_discovered: 3,
      last_cycle_processed: 3,
      last_cycle_completed: 2,
      last_cycle_failed: 1,
      last_cycle_duplicates: 0,
    });
    expect(health.updated_unix_ms).toEqual(expect.any(Number));
    expect(health.cycle_duration_ms).toEqual(expect.any(Number));
  });

  it("accumulates cycle reports and reason-code counts over runs and counts unparseable event lines as invalid", async () => {
    const ws = await workspace(["mixed-outcomes.json"]);
    await ws.run(["--gateway-contract-runner"]);
    await ws.run(["--gateway-contract-runner"]);
    // A torn or foreign line must not break the report; a blank line is not a report at all.
    await appendFile(ws.path(DEFAULT_STATE_DIR, "runtime-events.jsonl"), "{not json\n\n");
    const status = JSON.parse((await ws.run(["--gateway-status-inspect", "--gateway-status-json"])).stdout) as Record<string, unknown>;
    expect(status).toMatchObject({
      cycle_reports: 2,
      invalid_cycle_reports: 1,
      rollout_reason_code: "failure_streak_threshold_exceeded",
      guardrail_failure_streak: 2,
      last_reason_codes: RUN_TWO_CODES,
      reason_code_counts: {
        case_processing_failed: 2,
        duplicate_cases_skipped: 1,
        malformed_inputs_observed: 1,
        retry_attempted: 2,
        retryable_failures_observed: 2,
      },
      health: { last_cycle_processed: 3, last_cycle_completed: 0, last_cycle_duplicates: 2, failure_streak: 2 },
    });
  });

  it("falls back to the classification when the events log is missing", async () => {
    const ws = await workspace(["mixed-outcomes.json"]);
    await ws.run(["--gateway-contract-runner"]);
    await rm(ws.path(DEFAULT_STATE_DIR, "runtime-events.jsonl"));
    const status = JSON.parse((await ws.run(["--gateway-status-inspect", "--gateway-status-json"])).stdout) as Record<string, unknown>;
    expect(status).toMatchObject({
      events_log_present: false,
      cycle_reports: 0,
      invalid_cycle_reports: 0,
      last_reason_codes: [],
      reason_code_counts: {},
      health_state: "degraded",
      health_reason: "recent transport failures observed (failure_streak=1, last_cycle_failed=1)",
    });
  });

  it("prints the same fields as key=value lines without --gateway-status-json", async () => {
    const ws = await workspace(["mixed-outcomes.json"]);
    await ws.run(["--gateway-contract-runner"]);
    const text = await ws.run(["--gateway-status-inspect"]);
    expect(text.code).toBe(0);
    const [head, ...lines] = text.stdout.trimEnd().split("\n");
    // The original runner's header line first, then one field per line.
    expect(head).toMatch(/^gateway status inspect: state_path=\S+ health_state=degraded rollout_gate=hold rollout_reason_code=retryable_failures_threshold_exceeded$/);
    for (const line of lines) expect(line).toMatch(/^[\w.]+=/);
    const kv = keyValuesOf(text.stdout);
    for (const field of STATUS_FIELDS.filter((f) => f !== "health")) expect(kv.has(field), field).toBe(true);
    for (const field of HEALTH_FIELDS) expect(kv.has(`health.${field}`), field).toBe(true);
    expect(kv.get("rollout_gate")).toBe("hold");
    expect(kv.get("rollout_reason_code")).toBe("retryable_failures_threshold_exceeded");
    expect(kv.get("health_state")).toBe("degraded");
    expect(kv.get("health_reason")).toBe("recent transport failures observed (failure_streak=1, last_cycle_failed=1)");
    expect(kv.get("guardrail_last_retryable_failures")).toBe("4");
    expect(kv.get("last_reason_codes")).toBe(RUN_ONE_CODES.join(","));
    expect(kv.get("method_counts")).toBe("POST:1");
    expect(kv.get("health.failure_streak")).toBe("1");
    expect(kv.get("health.queue_depth")).toBe("0");
  });
});

describe("--transport-health-inspect gateway", { timeout: 30_000 }, () => {
  it("prints an array with one gateway row holding every health snapshot field as JSON", async () => {
    const ws = await workspace(["mixed-outcomes.json"]);
    await ws.run(["--gateway-contract-runner", "--gateway-queue-limit", "2"]);
    const inspect = await ws.run(["--transport-health-inspect", "gateway", "--transport-health-json"]);
    expect(inspect.code).toBe(0);
    const rows = JSON.parse(inspect.stdout) as Record<string, unknown>[];
    expect(Array.isArray(rows)).toBe(true);
    expect(rows).toHaveLength(1);
    const row = rows[0] as Record<string, unknown>;
    expect(row).toMatchObject({ transport: "gateway", target: "gateway-service" });
    expect(resolve(ws.dir, row.state_path as string)).toBe(ws.path(DEFAULT_STATE_DIR, "state.json"));
    const health = row.health as Record<string, unknown>;
    expect(Object.keys(health)).toEqual(expect.arrayContaining(HEALTH_FIELDS));
    expect(health).toMatchObject({
      queue_depth: 1,
      active_runs: 0,
      failure_streak: 1,
      last_cycle_discovered: 3,
      last_cycle_processed: 2,
      last_cycle_completed: 1,
      last_cycle_failed: 1,
      last_cycle_duplicates: 0,
    });
    // The row's snapshot is the one persisted in state.json.
    const state = await ws.readJson<{ health: unknown }>(`${DEFAULT_STATE_DIR}/state.json`);
    expect(health).toEqual(state.health);
  });

  it("prints one key=value line per row without --transport-health-json", async () => {
    const ws = await workspace(["mixed-outcomes.json"]);
    await ws.run(["--gateway-contract-runner"]);
    const text = await ws.run(["--transport-health-inspect", "gateway"]);
    expect(text.code).toBe(0);
    const lines = text.stdout.trimEnd().split("\n");
    expect(lines).toHaveLength(1);
    const kv = keyValuesOf(lines[0] as string);
    expect(kv.get("transport")).toBe("gateway");
    expect(kv.get("target")).toBe("gateway-service");
    expect(kv.get("state_path")).toBe(`${DEFAULT_STATE_DIR}/state.json`);
    for (const field of HEALTH_FIELDS) expect(kv.has(`health.${field}`), field).toBe(true);
    expect(kv.get("health.failure_streak")).toBe("1");
    expect(kv.get("health.last_cycle_failed")).toBe("1");
  });

  it("rejects a transport other than gateway as a usage error", async () => {
    const ws = await workspace(["mixed-outcomes.json"]);
    await ws.run(["--gateway-contract-runner"]);
    const inspect = await ws.run(["--transport-health-inspect", "slack"]);
    expect(inspect.code).toBe(2);
    expect(inspect.stderr).toContain("slack");
  });
});
