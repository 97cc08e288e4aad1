import { readdir, readFile, realpath, stat } from "node:fs/promises";
import { dirname, join, relative } from "node:path";
import { describe, expect, it } from "vitest";
import { printableText } from "../src";
import { fixtureOf, invalidRequestCase, loadSharedFixture, successCase } from "./helpers/fixtures";
import { actorDir, actorDirs, manualClock, openRuntime, readJsonLines } from "./helpers/runtime";
import { makeStateDir } from "./helpers/temp-dir";

const T0 = 1_700_000_000_000;

describe("the channel store of an actor (behavior.md §6)", () => {
  it("logs every case of the cycle in queue order, with response_body for a success and error_code otherwise", async () => {
    const stateDir = await makeStateDir();
    const runtime = await openRuntime({ stateDir, clock: manualClock(T0).clock });
    await runtime.runCycle(await loadSharedFixture("mixed-outcomes"));

    const entry = (eventKey: string, payload: Record<string, unknown>) => ({
      timestamp_unix_ms: T0,
      direction: "system",
      event_key: eventKey,
      source: "tau-gateway-runner",
      payload,
    });
    expect(await readJsonLines(join(actorDir(stateDir, "ops-bot"), "log.jsonl"))).toEqual([
      entry("GET:/v1/tasks/42:gateway-retryable-backend", {
        outcome: "retryable_failure",
        case_id: "gateway-retryable-backend",
        method: "GET",
        endpoint: "/v1/tasks/42",
        status_code: 503,
        error_code: "gateway_backend_unavailable",
      }),
      entry("POST:/v1/tasks:gateway-success", {
        outcome: "success",
        case_id: "gateway-success",
        method: "POST",
        endpoint: "/v1/tasks",
        status_code: 201,
        response_body: { status: "accepted", method: "POST", endpoint: "/v1/tasks", actor_id: "ops-bot" },
      }),
      entry("TRACE:/v1/tasks:gateway-unsupported-method", {
        outcome: "malformed_input",
        case_id: "gateway-unsupported-method",
        method: "TRACE",
        endpoint: "/v1/tasks",
        status_code: 405,
        error_code: "gateway_unsupported_method",
      }),
    ]);
  });

  it("writes the context lines word for word", async () => {
    const stateDir = await makeStateDir();
    const runtime = await openRuntime({ stateDir, clock: manualClock(T0).clock });
    await runtime.runCycle(await loadSharedFixture("mixed-outcomes"));

    expect(await readJsonLines(join(actorDir(stateDir, "ops-bot"), "context.jsonl"))).toEqual([
      {
        timestamp_unix_ms: T0,
        role: "system",
        text: "gateway case gateway-retryable-backend outcome=retryable_failure error_code=gateway_backend_unavailable status=503",
      },
      {
        timestamp_unix_ms: T0,
        role: "system",
        text: "gateway case gateway-success applied method=POST endpoint=/v1/tasks status=201",
      },
      {
        timestamp_unix_ms: T0,
        role: "system",
        text: "gateway case gateway-unsupported-method outcome=malformed_input error_code=gateway_unsupported_method status=405",
      },
    ]);
  });

  it("writes MEMORY.md with a heading and one line per request record of the actor", async () => {
    const stateDir = await makeStateDir();
    const runtime = await openRuntime({ stateDir });
    await runtime.runCycle(await loadSharedFixture("mixed-outcomes"));

    expect(await readFile(join(actorDir(stateDir, "ops-bot"), "MEMORY.md"), "utf8")).toBe(
      "# Tau Gateway Snapshot (ops-bot)\n\n- gateway-success POST /v1/tasks status=201 outcome=success\n",
    );
  });

  it("lists only the actor's own records in MEMORY.md, earlier cycles included", async () => {
    const stateDir = await makeStateDir();
    const runtime = await openRuntime({ stateDir });
    await runtime.runCycle(
      fixtureOf([
        successCase("alice-read", { actor_id: "alice" }),
        successCase("bob-create", { actor_id: "bob", method: "POST", endpoint: "/v1/tasks" }),
      ]),
    );
    await runtime.runCycle(fixtureOf([successCase("alice-delete", { actor_id: "alice", method: "DELETE" })]));

    expect(await readFile(join(actorDir(stateDir, "alice"), "MEMORY.md"), "utf8")).toBe(
      "# Tau Gateway Snapshot (alice)\n\n" +
        "- alice-delete DELETE /v1/tasks/alice-delete status=202 outcome=success\n" +
        "- alice-read GET /v1/tasks/alice-read status=200 outcome=success\n",
    );
    expect(await readFile(join(actorDir(stateDir, "bob"), "MEMORY.md"), "utf8")).toBe(
      "# Tau Gateway Snapshot (bob)\n\n- bob-create POST /v1/tasks status=201 outcome=success\n",
    );
    expect(await actorDirs(stateDir)).toEqual(["alice", "bob"]);
  });

  it("appends to the logs across cycles", async () => {
    const stateDir = await makeStateDir();
    const runtime = await openRuntime({ stateDir });
    const fixture = await loadSharedFixture("mixed-outcomes");
    await runtime.runCycle(fixture);
    await runtime.runCycle(fixture);

    const log = await readJsonLines(join(actorDir(stateDir, "ops-bot"), "log.jsonl"));
    // Second cycle: only the retryable case ran again; the other two were duplicates.
    expect(log.map((e) => e.event_key)).toEqual([
      "GET:/v1/tasks/42:gateway-retryable-backend",
      "POST:/v1/tasks:gateway-success",
      "TRACE:/v1/tasks:gateway-unsupported-method",
      "GET:/v1/tasks/42:gateway-retryable-backend",
    ]);
  });
});

describe("actor ids", () => {
  it("are trimmed: ' ops ' and 'ops' are one actor with one directory", async () => {
    const stateDir = await makeStateDir();
    const runtime = await openRuntime({ stateDir });
    await runtime.runCycle(
      fixtureOf([successCase("padded", { actor_id: " ops " }), successCase("plain", { actor_id: "ops" })]),
    );

    expect(await actorDirs(stateDir)).toEqual(["ops"]);
    expect(await readJsonLines(join(actorDir(stateDir, "ops"), "log.jsonl"))).toHaveLength(2);
    expect(await readFile(join(actorDir(stateDir, "ops"), "MEMORY.md"), "utf8")).toBe(
      "# Tau Gateway Snapshot (ops)\n\n" +
        "- padded GET /v1/tasks/padded status=200 outcome=success\n" +
        "- plain GET /v1/tasks/plain status=200 outcome=success\n",
    );
  });

  it("get no channel writes when empty or blank", async () => {
    const stateDir = await makeStateDir();
    const runtime = await openRuntime({ stateDir });
    const report = await runtime.runCycle(
      fixtureOf([invalidRequestCase("no-actor", ""), invalidRequestCase("blank-actor", "   ")]),
    );

    expect(report.summary.malformed_cases).toBe(2);
    expect(await actorDirs(stateDir)).toEqual([]);
  });

  it("each get their own directory inside the state dir, however hostile", async () => {
    const stateDir = await makeStateDir();
    const runtime = await openRuntime({ stateDir });
    const hostile = ["..", "a/b", "a_b", "A", "a", "../../escape", "back\\slash", "nul\u0000byte", "é", "x".repeat(300)];
    await runtime.runCycle(fixtureOf(hostile.map((actor, i) => successCase(`case-${i}`, { actor_id: actor }))));

    const dirs = await actorDirs(stateDir);
    expect(dirs).toHaveLength(hostile.length);
    const gatewayDir = await realpath(join(stateDir, "channel-store", "gateway"));
    const headings = new Map<string, string>();
    for (const name of dirs) {
      const dir = join(gatewayDir, name);
      expect((await stat(dir)).isDirectory()).toBe(true);
      // One path segment below channel-store/gateway: no "..", no nested directories.
      expect(relative(gatewayDir, await realpath(dir))).toBe(name);
      const memory = await readFile(join(dir, "MEMORY.md"), "utf8");
      headings.set(memory.split("\n")[0] ?? "", name);
    }
    // Control characters (the NUL here) are escaped in the heading, so no id can add a line.
    for (const actor of hostile) expect(headings.has(`# Tau Gateway Snapshot (${printableText(actor)})`)).toBe(true);

    // Nothing escaped: the temp dir holds only the state dir, the channel store only `gateway`.
    expect(await readdir(dirname(stateDir))).toEqual(["state"]);
    expect(await readdir(join(stateDir, "channel-store"))).toEqual(["gateway"]);
  });
});
