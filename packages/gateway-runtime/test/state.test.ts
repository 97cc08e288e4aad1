import { createHash } from "node:crypto";
import { existsSync } from "node:fs";
import { spawnSync } from "node:child_process";
import { mkdir, readFile, rm, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { emptyGatewayState, GatewayRuntime, GatewayRuntimeError } from "../src";
import { fixtureOf, loadSharedFixture, successCase } from "./helpers/fixtures";
import {
  actorDir,
  manualClock,
  openRuntime,
  readJsonLines,
  readStateJson,
  recordingDriver,
  simulatedAnswer,
} from "./helpers/runtime";
import { makeStateDir } from "./helpers/temp-dir";

const T0 = 1_700_000_000_000;

/** The events-line fields of behavior.md §5. */
const EVENT_FIELDS = [
  "timestamp_unix_ms",
  "health_state",
  "health_reason",
  "rollout_gate",
  "rollout_reason_code",
  "guardrail_failure_streak_threshold",
  "guardrail_retryable_failures_threshold",
  "reason_codes",
  "discovered_cases",
  "queued_cases",
  "applied_cases",
  "duplicate_skips",
  "malformed_cases",
  "retryable_failures",
  "retry_attempts",
  "failed_cases",
  "upserted_requests",
  "backlog_cases",
  "failure_streak",
];

async function rejectionOf(promise: Promise<unknown>): Promise<GatewayRuntimeError> {
  try {
    await promise;
  } catch (error) {
    if (GatewayRuntimeError.isInstance(error)) return error;
    throw error;
  }
  return expect.unreachable("expected a GatewayRuntimeError");
}

describe("state.json (behavior.md §5)", () => {
  it("holds every field: processed keys in insertion order, requests sorted by case key, health, guardrail", async () => {
    const stateDir = await makeStateDir();
    const runtime = await openRuntime({
      stateDir,
      clock: manualClock(T0).clock,
      settings: { thresholds: { failureStreak: 3, retryableFailures: 5 } },
    });
    await runtime.runCycle(await loadSharedFixture("rollout-pass"));

    const record = (caseId: string, method: string, endpoint: string, statusCode: number) => ({
      case_key: `${method}:${endpoint}:${caseId}`,
      case_id: caseId,
      method,
      endpoint,
      actor_id: "release-bot",
      status_code: statusCode,
      outcome: "success",
      error_code: "",
      response_body: { status: "accepted", method, endpoint, actor_id: "release-bot" },
      updated_unix_ms: T0,
    });
    expect(await readStateJson(stateDir)).toEqual({
      schema_version: 1,
      // Queue order (by case_id): cancel, create, read.
      processed_case_keys: [
        "DELETE:/v1/tasks/7:rollout-cancel-task",
        "POST:/v1/tasks:rollout-create-task",
        "GET:/v1/tasks/7:rollout-read-task",
      ],
      // Sorted by case_key: DELETE < GET < POST.
      requests: [
        record("rollout-cancel-task", "DELETE", "/v1/tasks/7", 202),
        record("rollout-read-task", "GET", "/v1/tasks/7", 200),
        record("rollout-create-task", "POST", "/v1/tasks", 201),
      ],
      health: {
        updated_unix_ms: T0,
        cycle_duration_ms: expect.any(Number),
        queue_depth: 0,
        active_runs: 0,
        failure_streak: 0,
        last_cycle_discovered: 3,
        last_cycle_processed: 3,
        last_cycle_completed: 3,
        last_cycle_failed: 0,
        last_cycle_duplicates: 0,
      },
      guardrail: {
        gate: "pass",
        reason_code: "guardrail_checks_passing",
        failure_streak_threshold: 3,
        retryable_failures_threshold: 5,
        failure_streak: 0,
        last_failed_cases: 0,
        last_retryable_failures: 0,
        updated_unix_ms: T0,
      },
      last_cycle: {
        fixture_sha256: null,
        fixtures: [],
        shard: null,
        settings: {
          queue_limit: 64,
          processed_case_cap: 10000,
          retry_max_attempts: 4,
          guardrail_failure_streak_threshold: 3,
          guardrail_retryable_failures_threshold: 5,
        },
      },
    });
  });

  it("records the fixture sources, their combined sha256 and the shard a cycle ran", async () => {
    const stateDir = await makeStateDir();
    const runtime = await openRuntime({ stateDir, clock: manualClock(T0).clock });
    const fixtures = [{ path: "a.json", sha256: "b".repeat(64) }, { path: "b.json", sha256: "a".repeat(64) }];
    const report = await runtime.runCycle(await loadSharedFixture("rollout-pass"), { provenance: { fixtures, shard: { index: 2, count: 3 } } });

    const expectedSha = createHash("sha256").update(`${"a".repeat(64)}\n${"b".repeat(64)}`).digest("hex");
    expect(report.provenance).toMatchObject({ fixture_sha256: expectedSha, fixtures, shard: { index: 2, count: 3 } });
    expect((await readStateJson(stateDir)).last_cycle).toEqual(report.provenance);
    const events = (await readFile(join(stateDir, "runtime-events.jsonl"), "utf8")).trim().split("\n");
    expect(JSON.parse(events.at(-1) as string)).toMatchObject({ fixture_sha256: expectedSha, shard: { index: 2, count: 3 } });
  });

  it("records the failures of the last cycle in health and guardrail", async () => {
    const stateDir = await makeStateDir();
    const runtime = await openRuntime({ stateDir, clock: manualClock(T0).clock });
    await runtime.runCycle(await loadSharedFixture("mixed-outcomes"));

    const state = await readStateJson(stateDir);
    expect(state.health).toMatchObject({
      failure_streak: 1,
      last_cycle_discovered: 3,
      last_cycle_processed: 3,
      last_cycle_completed: 2,
      last_cycle_failed: 1,
      last_cycle_duplicates: 0,
    });
    expect(state.guardrail).toEqual({
      gate: "hold",
      reason_code: "retryable_failures_threshold_exceeded",
      failure_streak_threshold: 2,
      retryable_failures_threshold: 2,
      failure_streak: 1,
      last_failed_cases: 1,
      last_retryable_failures: 4,
      updated_unix_ms: T0,
    });
  });

  it("keeps request records of earlier cycles with their own timestamps", async () => {
    const stateDir = await makeStateDir();
    const clock = manualClock(T0);
    const runtime = await openRuntime({ stateDir, clock: clock.clock });
    await runtime.runCycle(fixtureOf([successCase("first")]));
    clock.now = T0 + 60_000;
    await runtime.runCycle(fixtureOf([successCase("second")]));

    const state = await readStateJson(stateDir);
    expect(state.requests).toEqual([
      expect.objectContaining({ case_id: "first", updated_unix_ms: T0 }),
      expect.objectContaining({ case_id: "second", updated_unix_ms: T0 + 60_000 }),
    ]);
    expect(state.health).toMatchObject({ updated_unix_ms: T0 + 60_000 });
  });
});

describe("a state.json that cannot be used", () => {
  const corruptFiles: Array<[string, string]> = [
    ["not JSON", "this is not json\n"],
    ["truncated", '{\n  "schema_version": 1,\n  "processed_case_keys": ["POST:/v1/tasks:gatew'],
    ["another schema version", '{"schema_version": 2, "processed_case_keys": []}\n'],
    ["a field of the wrong type", '{"schema_version": 1, "requests": "x"}\n'],
    ["JSON that is not an object", "[1, 2, 3]\n"],
  ];

  it.each(corruptFiles)("is moved aside when it is %s, and the runner starts fresh", async (_what, bytes) => {
    const stateDir = await makeStateDir();
    await mkdir(stateDir, { recursive: true });
    await writeFile(join(stateDir, "state.json"), bytes);
    const warnings: string[] = [];

    const runtime = await openRuntime({ stateDir, clock: manualClock(T0).clock, onWarning: (w) => warnings.push(w) });

    const aside = join(stateDir, `state.json.corrupt-${T0}`);
    expect(await readFile(aside, "utf8")).toBe(bytes);
    expect(existsSync(join(stateDir, "state.json"))).toBe(false);
    expect(warnings).toHaveLength(1);
    expect(warnings[0]).toContain(aside);
    expect(runtime.currentState).toEqual(emptyGatewayState());

    const report = await runtime.runCycle(await loadSharedFixture("mixed-outcomes"));
    expect(report.summary.duplicate_skips).toBe(0);
    expect(report.health.failure_streak).toBe(1);
    expect((await readStateJson(stateDir)).schema_version).toBe(1);
  });

  it("never overwrites an earlier quarantined file, even within the same millisecond", async () => {
    const stateDir = await makeStateDir();
    await mkdir(stateDir, { recursive: true });
    const clock = manualClock(T0);
    const warnings: string[] = [];
    for (const bytes of ["first corrupt file", "second corrupt file"]) {
      await writeFile(join(stateDir, "state.json"), bytes);
      const runtime = await openRuntime({ stateDir, clock: clock.clock, onWarning: (w) => warnings.push(w) });
      await runtime.close();
    }

    expect(await readFile(join(stateDir, `state.json.corrupt-${T0}`), "utf8")).toBe("first corrupt file");
    expect(await readFile(join(stateDir, `state.json.corrupt-${T0}-1`), "utf8")).toBe("second corrupt file");
    expect(warnings[1]).toContain(`state.json.corrupt-${T0}-1`);
  });

  it("warns on stderr by default", async () => {
    const stateDir = await makeStateDir();
    await mkdir(stateDir, { recursive: true });
    await writeFile(join(stateDir, "state.json"), "{");
    const written: string[] = [];
    const original = process.stderr.write.bind(process.stderr);
    process.stderr.write = ((chunk: string | Uint8Array) => {
      written.push(String(chunk));
      return true;
    }) as typeof process.stderr.write;
    let runtime: GatewayRuntime | undefined;
    try {
      runtime = await GatewayRuntime.open({ stateDir, clock: manualClock(T0).clock });
    } finally {
      process.stderr.write = original;
      await runtime?.close();
    }
    expect(written.join("")).toContain(`state.json.corrupt-${T0}`);
  });
});

describe("an older state.json", () => {
  it("loads with defaults for the fields it lacks", async () => {
    const stateDir = await makeStateDir();
    await mkdir(stateDir, { recursive: true });
    await writeFile(
      join(stateDir, "state.json"),
      JSON.stringify({ schema_version: 1, processed_case_keys: ["POST:/v1/tasks:gateway-success"] }),
    );
    const warnings: string[] = [];
    const runtime = await openRuntime({ stateDir, onWarning: (w) => warnings.push(w) });

    expect(warnings).toEqual([]);
    expect(runtime.currentState).toMatchObject({
      schema_version: 1,
      processed_case_keys: ["POST:/v1/tasks:gateway-success"],
      requests: [],
      health: { failure_streak: 0, queue_depth: 0, last_cycle_failed: 0 },
      guardrail: { failure_streak_threshold: 2, retryable_failures_threshold: 2, failure_streak: 0 },
    });
    // No recorded decision must not read as a green gate.
    expect(runtime.currentState.guardrail.gate).toBe("hold");

    const report = await runtime.runCycle(await loadSharedFixture("mixed-outcomes"));
    expect(report.summary).toMatchObject({ duplicate_skips: 1, applied_cases: 0, malformed_cases: 1 });
  });
});

describe("runtime-events.jsonl", () => {
  it("gets one line per cycle with every field of behavior.md §5", async () => {
    const stateDir = await makeStateDir();
    const clock = manualClock(T0);
    const runtime = await openRuntime({ stateDir, clock: clock.clock });
    const fixture = await loadSharedFixture("mixed-outcomes");
    await runtime.runCycle(fixture);
    clock.now = T0 + 1_000;
    await runtime.runCycle(fixture);

    const lines = await readJsonLines(join(stateDir, "runtime-events.jsonl"));
    expect(lines).toHaveLength(2);
    for (const line of lines) expect(Object.keys(line)).toEqual(expect.arrayContaining(EVENT_FIELDS));
    expect(lines[0]).toMatchObject({
      timestamp_unix_ms: T0,
      health_state: "degraded",
      health_reason: "recent transport failures observed (failure_streak=1, last_cycle_failed=1)",
      rollout_gate: "hold",
      rollout_reason_code: "retryable_failures_threshold_exceeded",
      guardrail_failure_streak_threshold: 2,
      guardrail_retryable_failures_threshold: 2,
      reason_codes: ["malformed_inputs_observed", "retry_attempted", "retryable_failures_observed", "case_processing_failed"],
      discovered_cases: 3,
      queued_cases: 3,
      applied_cases: 1,
      duplicate_skips: 0,
      malformed_cases: 1,
      retryable_failures: 4,
      retry_attempts: 3,
      failed_cases: 1,
      upserted_requests: 1,
      backlog_cases: 0,
      failure_streak: 1,
    });
    expect(lines[1]).toMatchObject({
      timestamp_unix_ms: T0 + 1_000,
      rollout_reason_code: "failure_streak_threshold_exceeded",
      duplicate_skips: 2,
      failure_streak: 2,
    });
  });
});

describe("persistence order: channel store, then state.json, then the events line", () => {
  it("has written every earlier cycle completely before the next one starts", async () => {
    const stateDir = await makeStateDir();
    const runtime = await openRuntime({ stateDir });
    const seen: Array<{ eventLines: number; streak: unknown }> = [];
    // The retryable case runs every cycle, so the driver looks at the disk once per cycle.
    const driver = recordingDriver(async (c, attempt) => {
      if (attempt === 1 && c.simulate_retryable_failure) {
        const eventLines = existsSync(join(stateDir, "runtime-events.jsonl"))
          ? (await readJsonLines(join(stateDir, "runtime-events.jsonl"))).length
          : 0;
        const streak = existsSync(join(stateDir, "state.json"))
          ? (await readStateJson(stateDir)).health
          : undefined;
        seen.push({ eventLines, streak: (streak as { failure_streak?: number } | undefined)?.failure_streak });
      }
      return simulatedAnswer(c);
    });
    const fixture = await loadSharedFixture("mixed-outcomes");
    for (let cycle = 1; cycle <= 3; cycle++) {
      await runtime.runCycle(fixture, { driver });
      expect(await readJsonLines(join(stateDir, "runtime-events.jsonl"))).toHaveLength(cycle);
    }
    expect(seen).toEqual([
      { eventLines: 0, streak: undefined },
      { eventLines: 1, streak: 1 },
      { eventLines: 2, streak: 2 },
    ]);
  });

  it("writes the channel store before state.json: a failed state write repeats the log entry, never loses it", async () => {
    const stateDir = await makeStateDir();
    const fixture = fixtureOf([successCase("create", { method: "POST", endpoint: "/v1/tasks" })]);
    const runtime = await openRuntime({ stateDir });
    // A non-empty directory where state.json goes makes the atomic rename fail.
    await mkdir(join(stateDir, "state.json", "blocker"), { recursive: true });

    const error = await rejectionOf(runtime.runCycle(fixture));
    expect(error.code).toBe("E_IO");
    const logPath = join(actorDir(stateDir, "ops-bot"), "log.jsonl");
    expect(await readJsonLines(logPath)).toHaveLength(1);
    expect(existsSync(join(stateDir, "runtime-events.jsonl"))).toBe(false);
    await runtime.close();

    await rm(join(stateDir, "state.json"), { recursive: true });
    const next = await openRuntime({ stateDir });
    const report = await next.runCycle(fixture);
    expect(report.summary.applied_cases).toBe(1);
    const log = await readJsonLines(logPath);
    expect(log.map((entry) => entry.event_key)).toEqual(["POST:/v1/tasks:create", "POST:/v1/tasks:create"]);
  });

  it("writes state.json before the events line", async () => {
    const stateDir = await makeStateDir();
    const runtime = await openRuntime({ stateDir });
    await mkdir(join(stateDir, "runtime-events.jsonl"), { recursive: true });

    const error = await rejectionOf(runtime.runCycle(fixtureOf([successCase("create")])));
    expect(error.code).toBe("E_IO");
    expect((await readStateJson(stateDir)).processed_case_keys).toEqual(["GET:/v1/tasks/create:create"]);
  });
});

describe("one runner per state dir", () => {
  it("refuses a second open in the same process with E_STATE_LOCKED naming our pid", async () => {
    const stateDir = await makeStateDir();
    await openRuntime({ stateDir });

    const error = await rejectionOf(GatewayRuntime.open({ stateDir }));
    expect(error.code).toBe("E_STATE_LOCKED");
    expect(error.holderPid).toBe(process.pid);
    expect(error.message).toContain(String(process.pid));
  });

  it("releases the state dir on close, so it can be opened again", async () => {
    const stateDir = await makeStateDir();
    const first = await GatewayRuntime.open({ stateDir });
    await first.runCycle(await loadSharedFixture("rollout-pass"));
    await first.close();
    await first.close();

    const second = await openRuntime({ stateDir });
    expect(second.currentState.processed_case_keys).toHaveLength(3);
  });

  it("refuses cycles once closed", async () => {
    const runtime = await GatewayRuntime.open({ stateDir: await makeStateDir() });
    await runtime.close();
    const error = await rejectionOf(runtime.runCycle(await loadSharedFixture("rollout-pass")));
    expect(error.code).toBe("E_RUNTIME_CLOSED");
  });
});

describe("invalid settings", () => {
  const cases: Array<[string, Parameters<typeof GatewayRuntime.open>[0]["settings"]]> = [
    ["queueLimit", { queueLimit: 0 }],
    ["retryMaxAttempts", { retryMaxAttempts: 1.5 }],
    ["processedCaseCap", { processedCaseCap: -1 }],
    ["retryBaseDelayMs", { retryBaseDelayMs: Number.NaN }],
    ["thresholds.failureStreak", { thresholds: { failureStreak: 0, retryableFailures: 2 } }],
    ["thresholds.retryableFailures", { thresholds: { failureStreak: 2, retryableFailures: 0.5 } }],
  ];

  it.each(cases)("reject %s with E_INVALID_OPTION naming it, before touching the disk", async (name, settings) => {
    const stateDir = await makeStateDir();
    const error = await rejectionOf(GatewayRuntime.open({ stateDir, settings }));
    expect(error.code).toBe("E_INVALID_OPTION");
    expect(error.message.startsWith(`${name} must be an integer`)).toBe(true);
    expect(existsSync(stateDir)).toBe(false);
  });
});

describe("opening a state directory after a crash", () => {
  it("quietly removes the temp copy of state.json a killed writer left", async () => {
    const stateDir = await makeStateDir();
    await mkdir(stateDir, { recursive: true });
    const exited = spawnSync(process.execPath, ["-e", ""]).pid as number;
    const leftover = join(stateDir, `.state.json.${exited}.0123456789ab.tmp`);
    await writeFile(leftover, "{\"schema_version\":1,\"processed_ca");
    const warnings: string[] = [];
    await openRuntime({ stateDir, onWarning: (w) => warnings.push(w) });
    expect(existsSync(leftover)).toBe(false);
    expect(warnings).toEqual([]);
  });

  it("quotes a binary state.json in the quarantine warning without control bytes", async () => {
    const stateDir = await makeStateDir();
    await mkdir(stateDir, { recursive: true });
    await writeFile(join(stateDir, "state.json"), Buffer.from([0x7b, 0x0a, 0x1b, 0x5b, 0x33, 0x31, 0x6d, 0x00, 0xff]));
    const warnings: string[] = [];
    await openRuntime({ stateDir, onWarning: (w) => warnings.push(w) });
    expect(warnings).toHaveLength(1);
    // eslint-disable-next-line no-control-regex
    expect(warnings[0]).not.toMatch(/[\u0000-\u001f\u007f]/);
    expect(warnings[0]).toContain("is not usable (not valid JSON");
  });
});
