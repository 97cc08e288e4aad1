import { describe, expect, it } from "vitest";
import { DEFAULT_STATE_DIR, fixtureOf, gateOf, successCase, summaryOf, workspace } from "../helpers";
import { echoingGateway, referenceGateway, serve, v2FixtureOf } from "./workflow-helpers";

/** Cases with no expected, as `import har` writes them. */
const unrecorded = () =>
  v2FixtureOf("to-record", [
    { case_id: "read", method: "GET", endpoint: "/v1/tasks/7", actor_id: "ops-bot", tags: ["smoke"] },
    { case_id: "create", method: "POST", endpoint: "/v1/tasks", actor_id: "ops-bot", body: { title: "x" } },
    { case_id: "trace", method: "TRACE", endpoint: "/v1/tasks", actor_id: "ops-bot" },
  ]);

describe("record", { timeout: 60_000 }, () => {
  it("fills every expected from the live answers; running the result gives exit 0 with no drift", async () => {
    const url = await referenceGateway();
    const ws = await workspace();
    await ws.write("in.json", unrecorded());
    const record = await ws.run(["record", "--gateway-target-url", url, "--gateway-fixture", "in.json", "--out", "out.json"]);
    expect(record.stderr).toBe("");
    expect(record.code).toBe(0);
    expect(record.stdout).toContain("recorded 3 cases into out.json");
    const out = await ws.readJson<{ cases: { case_id: string; expected: Record<string, unknown> }[] }>("out.json");
    expect(out.cases.map((c) => [c.case_id, c.expected.outcome, c.expected.status_code, c.expected.error_code])).toEqual([
      ["read", "success", 200, undefined],
      ["create", "success", 201, undefined],
      ["trace", "malformed_input", 405, "gateway_unsupported_method"],
    ]);

    const run = await ws.run(["run", "--gateway-target-url", url, "--gateway-fixture", "out.json"]);
    expect(run.code).toBe(0);
    expect(summaryOf(run.stdout)).toMatchObject({ discovered: 3, applied: 2, malformed: 1, failed: 0 });
    expect(run.stdout).not.toContain("contract drift");
  });

  it("keeps the matchers the answer satisfies and the ignore list", async () => {
    const url = await referenceGateway();
    const ws = await workspace();
    await ws.write(
      "in.json",
      v2FixtureOf("matchers", [
        {
          case_id: "read",
          method: "GET",
          endpoint: "/v1/tasks/7",
          actor_id: "ops-bot",
          expected: { outcome: "success", status_code: 201, response_body: { endpoint: { $match: "regex:/v1/tasks/[0-9]+" }, method: "POST", actor_id: "x" }, ignore: ["/actor_id"] },
        },
      ]),
    );
    expect((await ws.run(["record", "--gateway-target-url", url, "--gateway-fixture", "in.json", "--out", "out.json"])).code).toBe(0);
    const [c] = (await ws.readJson<{ cases: { expected: Record<string, unknown> }[] }>("out.json")).cases;
    expect(c?.expected).toEqual({
      outcome: "success",
      status_code: 200,
      response_body: { status: "accepted", method: "GET", endpoint: { $match: "regex:/v1/tasks/[0-9]+" }, actor_id: "x" },
      ignore: ["/actor_id"],
    });
  });

  it("refuses to overwrite --out without --force (exit 2) and overwrites with it", async () => {
    const url = await referenceGateway();
    const ws = await workspace();
    await ws.write("in.json", unrecorded());
    await ws.write("out.json", "keep me\n");
    const refused = await ws.run(["record", "--gateway-target-url", url, "--gateway-fixture", "in.json", "--out", "out.json"]);
    expect(refused.code).toBe(2);
    expect(refused.stderr).toContain("out.json exists: pass --force to overwrite it");
    expect(await ws.readText("out.json")).toBe("keep me\n");
    expect((await ws.run(["record", "--gateway-target-url", url, "--gateway-fixture", "in.json", "--out", "out.json", "--force"])).code).toBe(0);
  });

  it("redacts --gateway-target-header values from the recorded bodies", async () => {
    const url = await serve(echoingGateway());
    const ws = await workspace();
    await ws.write("in.json", v2FixtureOf("echo", [{ case_id: "read", method: "GET", endpoint: "/v1/me", actor_id: "ops-bot" }]));
    const record = await ws.run(["record", "--gateway-target-url", url, "--gateway-target-header", "Authorization: Bearer s3cr3t-token", "--gateway-fixture", "in.json", "--out", "out.json"]);
    expect(record.code).toBe(0);
    const text = await ws.readText("out.json");
    expect(text).not.toContain("s3cr3t-token");
    expect(text).toContain(`"token": "***"`);
  });
});

describe("cases without expected and --gateway-update", { timeout: 60_000 }, () => {
  it("run refuses them (exit 2) with a hint to record or --gateway-update new", async () => {
    const ws = await workspace();
    await ws.write("f.json", unrecorded());
    const run = await ws.run(["run", "--gateway-fixture", "f.json"]);
    expect(run.code).toBe(2);
    expect(run.stderr).toContain('f.json: case "read": has no expected yet, so it cannot be run: record it first');
    expect(run.stderr).toContain("--gateway-update new");
  });

  it("--gateway-update new records them into the fixture, then runs the cycle", async () => {
    const ws = await workspace();
    await ws.write("f.json", unrecorded());
    const run = await ws.run(["run", "--gateway-fixture", "f.json", "--gateway-update", "new"]);
    expect(run.code).toBe(0);
    expect(run.stdout).toContain("gateway runner update: recorded expected of 3 new cases into f.json");
    const fixture = await ws.readJson<{ cases: { case_id: string; expected?: unknown; tags?: unknown }[] }>("f.json");
    expect(fixture.cases.every((c) => c.expected !== undefined)).toBe(true);
    expect(Object.keys(fixture.cases[0] as object)).toEqual(["case_id", "method", "endpoint", "actor_id", "tags", "expected"]);
    expect((await ws.run(["validate", "f.json"])).stdout).toContain('valid fixture "to-record" (schema v2) with 3 cases');
  });

  it("TAU_GATEWAY_UPDATE is ignored when CI is set: only the flag can update there", async () => {
    const ws = await workspace();
    await ws.write("f.json", unrecorded());
    const run = await ws.run(["run", "--gateway-fixture", "f.json"], { env: { CI: "true", TAU_GATEWAY_UPDATE: "new" } });
    expect(run.code).toBe(2);
    const without = await ws.run(["run", "--gateway-fixture", "f.json"], { env: { CI: undefined, TAU_GATEWAY_UPDATE: "new" } });
    expect(without.code).toBe(0);
  });

  it("an unknown update mode is a usage error", async () => {
    const ws = await workspace();
    const run = await ws.run(["run", "--gateway-update", "some"]);
    expect(run.code).toBe(2);
    expect(run.stderr).toContain('--gateway-update must be none, new or all (found "some")');
  });
});

describe("fixture sets and tags", { timeout: 60_000 }, () => {
  it("runs every fixture a glob names and records each file's path and sha256", async () => {
    const ws = await workspace();
    await ws.write("fixtures/a/one.json", fixtureOf("one", [successCase("a1")]));
    await ws.write("fixtures/b/two.json", fixtureOf("two", [successCase("b1"), successCase("b2")]));
    const run = await ws.run(["run", "--gateway-fixture", "fixtures/**/*.json"]);
    expect(run.code).toBe(0);
    expect(summaryOf(run.stdout)).toMatchObject({ discovered: 3, applied: 3 });
    const state = await ws.readJson<{ last_cycle: { fixtures: { path: string; sha256: string }[]; fixture_sha256: string } }>(`${DEFAULT_STATE_DIR}/state.json`);
    expect(state.last_cycle.fixtures.map((f) => f.path)).toEqual(["fixtures/a/one.json", "fixtures/b/two.json"]);
    expect(state.last_cycle.fixtures.every((f) => /^[0-9a-f]{64}$/.test(f.sha256))).toBe(true);
    const [event] = await ws.readJsonl(`${DEFAULT_STATE_DIR}/runtime-events.jsonl`);
    expect(event?.fixture_sha256).toBe(state.last_cycle.fixture_sha256);
  });

  it("takes --gateway-fixture more than once", async () => {
    const ws = await workspace();
    await ws.write("one.json", fixtureOf("one", [successCase("a1")]));
    await ws.write("two.json", fixtureOf("two", [successCase("b1")]));
    const run = await ws.run(["run", "--gateway-fixture", "one.json", "--gateway-fixture", "two.json"]);
    expect(summaryOf(run.stdout)).toMatchObject({ discovered: 2, applied: 2 });
  });

  it("a glob that matches nothing is exit 2", async () => {
    const ws = await workspace();
    const run = await ws.run(["run", "--gateway-fixture", "nowhere/**/*.json"]);
    expect(run.code).toBe(2);
    expect(run.stderr).toContain("nowhere/**/*.json: the glob matches no file");
  });

  it("a case key used in two files is exit 2 naming both files", async () => {
    const ws = await workspace();
    await ws.write("one.json", fixtureOf("one", [successCase("same")]));
    await ws.write("two.json", fixtureOf("two", [successCase("same")]));
    const run = await ws.run(["run", "--gateway-fixture", "*.json"]);
    expect(run.code).toBe(2);
    expect(run.stderr).toContain('two.json: case "same": case key "GET:/v1/items/same:same" is also used by case "same" in one.json');
  });

  it("--gateway-tag runs only the cases with any of the tags", async () => {
    const ws = await workspace();
    const tagged = (id: string, tags: string[]) => ({ ...successCase(id), tags });
    await ws.write("f.json", v2FixtureOf("tags", [tagged("a", ["smoke"]), tagged("b", ["slow"]), tagged("c", ["smoke", "slow"]), tagged("d", [])]));
    const run = await ws.run(["run", "--gateway-fixture", "f.json", "--gateway-tag", "smoke", "--gateway-tag", "nightly"]);
    expect(run.code).toBe(0);
    expect(summaryOf(run.stdout)).toMatchObject({ discovered: 2, applied: 2 });
    const none = await ws.run(["run", "--gateway-fixture", "f.json", "--gateway-tag", "absent"]);
    expect(none.code).toBe(2);
    expect(none.stderr).toContain('no case has any of the tags "absent"');
  });
});

describe("v2 contracts through the CLI", { timeout: 60_000 }, () => {
  it("an unknown matcher is exit 2 naming the case and the pointer", async () => {
    const ws = await workspace();
    const c = successCase("m");
    (c.expected.response_body as Record<string, unknown>).endpoint = { $match: "path" };
    await ws.write("f.json", v2FixtureOf("m", [c]));
    for (const args of [["validate", "f.json"], ["run", "--gateway-fixture", "f.json"]]) {
      const result = await ws.run(args);
      expect(result.code).toBe(2);
      expect(result.stderr).toContain('f.json: case "m": expected.response_body has an invalid matcher at "/endpoint": unknown matcher "path"');
    }
  });

  it("matchers and ignores make a volatile answer pass", async () => {
    const ws = await workspace();
    const c = successCase("v");
    c.expected.response_body = { status: { $match: "string" }, method: "GET", endpoint: { $match: "regex:/v1/items/.+" }, actor_id: "someone-else" } as never;
    (c.expected as Record<string, unknown>).ignore = ["/actor_id"];
    await ws.write("f.json", v2FixtureOf("v", [c]));
    const run = await ws.run(["run", "--gateway-fixture", "f.json"]);
    expect(run.code).toBe(0);
  });

  it("drift of a pending case is printed but exits 0 and the gate passes with pending_drift_observed", async () => {
    const ws = await workspace();
    const c = { ...successCase("p"), pending: true };
    c.expected.status_code = 204;
    await ws.write("f.json", v2FixtureOf("p", [c]));
    const run = await ws.run(["run", "--gateway-fixture", "f.json", "--gateway-fail-on-hold"]);
    expect(run.code).toBe(0);
    expect(run.stdout).toContain('case "p" (GET:/v1/items/p:p) [pending: reported, does not hold the gate]');
    expect(gateOf(run.stdout)).toEqual({ rollout_gate: "pass", rollout_reason_code: "pending_drift_observed", reason_codes: ["pending_drift_observed"] });
  });
});
