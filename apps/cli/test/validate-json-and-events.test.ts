import { appendFile } from "node:fs/promises";
import { lockDir } from "@tau/gateway";
import { describe, expect, it } from "vitest";
import { DEFAULT_STATE_DIR, fixtureOf, successCase, workspace } from "./helpers";

const EVENTS = `${DEFAULT_STATE_DIR}/runtime-events.jsonl`;

describe("validate --json", { timeout: 60_000 }, () => {
  it("prints every problem of an invalid fixture as JSON on stdout and exits 2", async () => {
    const ws = await workspace();
    const badStatus = successCase("bad-status");
    badStatus.expected.status_code = 503;
    const noEndpoint: Record<string, unknown> = { ...successCase("no-endpoint") };
    delete noEndpoint.endpoint;
    await ws.write("two.json", fixtureOf("two", [badStatus, noEndpoint]));
    const result = await ws.run(["validate", "two.json", "--json"]);
    expect(result.code).toBe(2);
    expect(result.stderr).toBe("");
    const report = JSON.parse(result.stdout) as { valid: boolean; path: string; code: string; problems: { path: string; case_id: string | null; case_index: number | null; message: string }[] };
    expect(report).toMatchObject({ valid: false, path: "two.json", code: "E_FIXTURE_INVALID" });
    expect(report.problems).toHaveLength(2);
    expect(report.problems).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ case_id: "bad-status", case_index: 0, path: expect.stringContaining("expected.status_code") }),
        expect.objectContaining({ case_id: "no-endpoint", case_index: 1, path: expect.stringContaining("endpoint") }),
      ]),
    );
  });

  it("reports invalid JSON and a missing file as problems too", async () => {
    const ws = await workspace(["invalid-json-syntax.json"]);
    const syntax = await ws.run(["validate", "fixtures/gateway-contract/invalid-json-syntax.json", "--json"]);
    expect(syntax.code).toBe(2);
    const report = JSON.parse(syntax.stdout) as { code: string; problems: { message: string }[] };
    expect(report.code).toBe("E_FIXTURE_JSON");
    expect(report.problems[0]?.message).toContain("line 18");
    const missing = await ws.run(["validate", "missing.json", "--json"]);
    expect(missing.code).toBe(2);
    expect(JSON.parse(missing.stdout)).toMatchObject({ valid: false, code: "E_FIXTURE_NOT_FOUND" });
  });

  it("prints valid: true with no problems for a valid fixture", async () => {
    const ws = await workspace(["rollout-pass.json"]);
    const result = await ws.run(["validate", "fixtures/gateway-contract/rollout-pass.json", "--json"]);
    expect(result.code).toBe(0);
    expect(JSON.parse(result.stdout)).toEqual({
      valid: true,
      path: "fixtures/gateway-contract/rollout-pass.json",
      name: "rollout-pass",
      schema_version: 1,
      cases: 3,
      unrecorded_cases: 0,
      problems: [],
    });
  });
});

describe("tau-gateway events inspect|repair", { timeout: 60_000 }, () => {
  it("counts the records and invalid lines of runtime-events.jsonl", async () => {
    const ws = await workspace(["mixed-outcomes.json"]);
    await ws.run(["run"]);
    await ws.run(["run"]);
    await appendFile(ws.path(EVENTS), "{torn line\n");
    const text = await ws.run(["events", "inspect"]);
    expect(text.code).toBe(0);
    expect(text.stdout).toMatch(/^path=\S+runtime-events\.jsonl bytes=\d+ records=2 invalid_lines=1\n$/);
    const json = JSON.parse((await ws.run(["events", "inspect", "--json"])).stdout);
    expect(json).toMatchObject({ records: 2, invalid_lines: 1 });
    // The status report agrees.
    expect(JSON.parse((await ws.run(["status", "--json"])).stdout)).toMatchObject({ cycle_reports: 2, invalid_cycle_reports: 1 });
  });

  it("moves invalid lines to runtime-events.jsonl.corrupt-<ms> and keeps the valid ones", async () => {
    const ws = await workspace(["mixed-outcomes.json"]);
    await ws.run(["run"]);
    const before = await ws.readText(EVENTS);
    await appendFile(ws.path(EVENTS), "{torn line\n");
    const repair = await ws.run(["events", "repair", "--json"]);
    expect(repair.code, repair.stderr).toBe(0);
    const report = JSON.parse(repair.stdout) as { kept: number; moved: number; corrupt_path: string };
    expect(report).toMatchObject({ kept: 1, moved: 1 });
    expect(report.corrupt_path).toMatch(/runtime-events\.jsonl\.corrupt-\d+$/);
    expect(await ws.readText(EVENTS)).toBe(before);
    expect(await ws.readText(report.corrupt_path)).toBe("{torn line\n");
    expect(JSON.parse((await ws.run(["status", "--json"])).stdout)).toMatchObject({ invalid_cycle_reports: 0 });
    // Nothing left to move: text form says so.
    expect((await ws.run(["events", "repair"])).stdout).toMatch(/kept=1 moved=0 corrupt_path=none/);
  });

  it("exits 1 without an events log and 5 while a runner holds the state dir", async () => {
    const ws = await workspace(["mixed-outcomes.json"]);
    const none = await ws.run(["events", "inspect"]);
    expect(none.code).toBe(1);
    expect(none.stderr).toContain("run the contract runner first");
    await ws.run(["run"]);
    const lock = await lockDir(ws.path(DEFAULT_STATE_DIR));
    try {
      const locked = await ws.run(["events", "repair"]);
      expect(locked.code).toBe(5);
      // Inspecting only reads: it works while the lock is held.
      expect((await ws.run(["events", "inspect"])).code).toBe(0);
    } finally {
      await lock.release();
    }
  });
});
