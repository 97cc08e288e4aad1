import { appendFile, readdir, stat } from "node:fs/promises";
import { describe, expect, it } from "vitest";
import { DEFAULT_STATE_DIR, fixtureOf, keyValuesOf, successCase, workspace } from "./helpers";

const ROOT = `${DEFAULT_STATE_DIR}/channel-store`;
const ACTOR_DIR = `${ROOT}/gateway/ops-bot`;

const withoutTimestamp = <T extends { timestamp_unix_ms?: unknown }>(entry: T) => {
  expect(entry.timestamp_unix_ms).toEqual(expect.any(Number));
  const { timestamp_unix_ms: _, ...rest } = entry;
  return rest;
};

describe("channel store files", { timeout: 30_000 }, () => {
  it("writes log.jsonl, context.jsonl and MEMORY.md of behavior.md §6 for the actor", async () => {
    const ws = await workspace(["mixed-outcomes.json"]);
    await ws.run(["--gateway-contract-runner"]);

    const log = await ws.readJsonl(`${ACTOR_DIR}/log.jsonl`);
    expect(log.map(withoutTimestamp)).toEqual([
      {
        direction: "system",
        event_key: "GET:/v1/tasks/42:gateway-retryable-backend",
        source: "tau-gateway-runner",
        payload: {
          outcome: "retryable_failure",
          case_id: "gateway-retryable-backend",
          method: "GET",
          endpoint: "/v1/tasks/42",
          status_code: 503,
          error_code: "gateway_backend_unavailable",
        },
      },
      {
        direction: "system",
        event_key: "POST:/v1/tasks:gateway-success",
        source: "tau-gateway-runner",
        payload: {
          outcome: "success",
          case_id: "gateway-success",
          method: "POST",
          endpoint: "/v1/tasks",
          status_code: 201,
          response_body: { status: "accepted", method: "POST", endpoint: "/v1/tasks", actor_id: "ops-bot" },
        },
      },
      {
        direction: "system",
        event_key: "TRACE:/v1/tasks:gateway-unsupported-method",
        source: "tau-gateway-runner",
        payload: {
          outcome: "malformed_input",
          case_id: "gateway-unsupported-method",
          method: "TRACE",
          endpoint: "/v1/tasks",
          status_code: 405,
          error_code: "gateway_unsupported_method",
        },
      },
    ]);

    const context = await ws.readJsonl(`${ACTOR_DIR}/context.jsonl`);
    expect(context.map(withoutTimestamp)).toEqual([
      {
        role: "system",
        text: "gateway case gateway-retryable-backend outcome=retryable_failure error_code=gateway_backend_unavailable status=503",
      },
      { role: "system", text: "gateway case gateway-success applied method=POST endpoint=/v1/tasks status=201" },
      {
        role: "system",
        text: "gateway case gateway-unsupported-method outcome=malformed_input error_code=gateway_unsupported_method status=405",
      },
    ]);

    expect(await ws.readText(`${ACTOR_DIR}/MEMORY.md`)).toBe(
      "# Tau Gateway Snapshot (ops-bot)\n\n- gateway-success POST /v1/tasks status=201 outcome=success\n",
    );
  });

  it("keeps every actor inside the state dir, merges trimmed ids and never shares a directory between ids", async () => {
    const ws = await workspace();
    await ws.write(
      "actors.json",
      fixtureOf("actors", [
        successCase("c1", { actorId: " ops " }),
        successCase("c2", { actorId: "ops" }),
        successCase("c3", { actorId: "a/b" }),
        successCase("c4", { actorId: "a_b" }),
        successCase("c5", { actorId: "../../escape" }),
        successCase("c6", { actorId: "Ops" }),
      ]),
    );
    const run = await ws.run(["run", "--gateway-fixture", "actors.json"]);
    expect(run.code).toBe(0);

    const actorDirs = await readdir(ws.path(ROOT, "gateway"));
    expect(actorDirs).toHaveLength(5);
    expect(actorDirs).toEqual(expect.arrayContaining(["ops", "a_b"]));
    // Nothing escaped: the workspace holds only the fixture and the state dir.
    expect((await readdir(ws.dir)).sort()).toEqual([".tau", "actors.json"]);

    expect(await ws.readText(`${ROOT}/gateway/ops/MEMORY.md`)).toBe(
      "# Tau Gateway Snapshot (ops)\n\n- c1 GET /v1/items/c1 status=200 outcome=success\n- c2 GET /v1/items/c2 status=200 outcome=success\n",
    );
    // The actor id itself (with its slash) is the reference to inspect.
    const inspect = await ws.run(["--channel-store-root", ROOT, "--channel-store-inspect", "gateway/a/b", "--json"]);
    expect(JSON.parse(inspect.stdout)).toMatchObject({ channel_id: "a/b", log_records: 1, memory_exists: true });
  });

  it("writes nothing for a case whose actor_id is blank", async () => {
    const ws = await workspace();
    const blank = {
      case_id: "no-actor",
      method: "GET",
      endpoint: "/v1/x",
      actor_id: "  ",
      expected: {
        outcome: "malformed_input",
        status_code: 400,
        error_code: "gateway_invalid_request",
        response_body: { status: "rejected", reason: "invalid_request" },
      },
    };
    await ws.write("f.json", fixtureOf("blank-actor", [blank]));
    const run = await ws.run(["run", "--gateway-fixture", "f.json"]);
    expect(run.code).toBe(0);
    expect(ws.exists(`${ROOT}/gateway`)).toBe(false);
  });
});

describe("--channel-store-inspect and --channel-store-repair", { timeout: 30_000 }, () => {
  it("counts records, invalid lines and MEMORY.md bytes as key=value text and as JSON", async () => {
    const ws = await workspace(["mixed-outcomes.json"]);
    await ws.run(["--gateway-contract-runner"]);
    const memoryBytes = (await stat(ws.path(ACTOR_DIR, "MEMORY.md"))).size;

    const text = await ws.run(["--channel-store-root", ROOT, "--channel-store-inspect", "gateway/ops-bot"]);
    expect(text.code).toBe(0);
    expect(text.stdout.trimEnd().split("\n")).toHaveLength(1);
    const kv = keyValuesOf(text.stdout);
    expect(Object.fromEntries(kv)).toEqual({
      transport: "gateway",
      channel_id: "ops-bot",
      directory: ACTOR_DIR,
      log_records: "3",
      context_records: "3",
      invalid_log_lines: "0",
      invalid_context_lines: "0",
      log_files: "1",
      context_files: "1",
      memory_exists: "true",
      memory_bytes: String(memoryBytes),
    });

    const json = await ws.run(["--channel-store-root", ROOT, "--channel-store-inspect", "gateway/ops-bot", "--json"]);
    expect(json.code).toBe(0);
    expect(JSON.parse(json.stdout)).toEqual({
      transport: "gateway",
      channel_id: "ops-bot",
      directory: ACTOR_DIR,
      log_records: 3,
      context_records: 3,
      invalid_log_lines: 0,
      invalid_context_lines: 0,
      log_files: 1,
      context_files: 1,
      memory_exists: true,
      memory_bytes: memoryBytes,
    });
  });

  it("refuses an actor that has no files instead of reporting zeros, and a foreign transport", async () => {
    const ws = await workspace(["mixed-outcomes.json"]);
    await ws.run(["--gateway-contract-runner"]);
    const missing = await ws.run(["--channel-store-root", ROOT, "--channel-store-inspect", "gateway/nobody", "--json"]);
    expect(missing.code).toBe(1);
    expect(missing.stdout).toBe("");
    expect(missing.stderr).toContain("error: no channel store for gateway/nobody under .tau/gateway/channel-store");
    expect(missing.stderr).not.toContain("--debug");
    const foreign = await ws.run(["--channel-store-root", ROOT, "--channel-store-inspect", "slack/ops-bot"]);
    expect(foreign.code).toBe(2);
    expect(foreign.stderr).toContain('channel reference must start with gateway/ (found "slack/")');
    const padded = await ws.run(["--channel-store-root", ROOT, "--channel-store-inspect", "gateway/ ops-bot ", "--json"]);
    expect(padded.code).toBe(0);
    expect(JSON.parse(padded.stdout)).toMatchObject({ channel_id: "ops-bot", log_records: 3 });
  });

  it("moves a garbage line to log.jsonl.corrupt-<ms> and keeps the valid lines", async () => {
    const ws = await workspace(["mixed-outcomes.json"]);
    await ws.run(["--gateway-contract-runner"]);
    const validBefore = await ws.readText(`${ACTOR_DIR}/log.jsonl`);
    await appendFile(ws.path(ACTOR_DIR, "log.jsonl"), "this is {not json\n");

    const before = await ws.run(["--channel-store-root", ROOT, "--channel-store-inspect", "gateway/ops-bot", "--json"]);
    expect(JSON.parse(before.stdout)).toMatchObject({ log_records: 3, invalid_log_lines: 1 });

    const repair = await ws.run(["--channel-store-root", ROOT, "--channel-store-repair", "gateway/ops-bot"]);
    expect(repair.code).toBe(0);
    expect(repair.stdout).toMatch(/log\.jsonl: kept=3 moved=1 corrupt_path=\S+log\.jsonl\.corrupt-\d+/);
    expect(repair.stdout).toMatch(/context\.jsonl: kept=3 moved=0/);

    const files = await readdir(ws.path(ACTOR_DIR));
    const corrupt = files.filter((name) => /^log\.jsonl\.corrupt-\d+$/.test(name));
    expect(corrupt).toHaveLength(1);
    expect(await ws.readText(`${ACTOR_DIR}/${corrupt[0]}`)).toBe("this is {not json\n");
    expect(await ws.readText(`${ACTOR_DIR}/log.jsonl`)).toBe(validBefore);

    const after = await ws.run(["--channel-store-root", ROOT, "--channel-store-inspect", "gateway/ops-bot", "--json"]);
    expect(JSON.parse(after.stdout)).toMatchObject({ log_records: 3, invalid_log_lines: 0, context_records: 3 });
  });

  it("defaults the root to <state-dir>/channel-store and rejects a reference without an actor", async () => {
    const ws = await workspace(["mixed-outcomes.json"]);
    await ws.run(["--gateway-contract-runner"]);
    const inspect = await ws.run(["--channel-store-inspect", "gateway/ops-bot", "--json"]);
    expect(JSON.parse(inspect.stdout)).toMatchObject({ log_records: 3 });
    const bad = await ws.run(["--channel-store-inspect", "gateway"]);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toContain("gateway/<actor_id>");
  });
});
