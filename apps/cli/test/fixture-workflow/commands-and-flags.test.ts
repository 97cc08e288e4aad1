import { describe, expect, it } from "vitest";
import { DEFAULT_STATE_DIR, fixtureOf, successCase, summaryOf, workspace } from "../helpers";
import { referenceGateway, v2FixtureOf } from "./workflow-helpers";

/** One case without expected, as `import har` writes it. */
const unrecorded = () => v2FixtureOf("to-record", [{ case_id: "read", method: "GET", endpoint: "/v1/tasks/7", actor_id: "ops-bot" }]);

describe("the fixture workflow commands in the registry", { timeout: 60_000 }, () => {
  it("record takes the fixture as its argument, like run and validate, but not twice", async () => {
    const url = await referenceGateway();
    const ws = await workspace();
    await ws.write("in.json", unrecorded());
    const record = await ws.run(["record", "in.json", "--gateway-target-url", url, "--out", "out.json"]);
    expect(record.stderr).toBe("");
    expect(record.code).toBe(0);
    expect(record.stdout).toContain("recorded 1 case into out.json");
    expect((await ws.run(["run", "out.json", "--gateway-target-url", url])).code).toBe(0);

    const twice = await ws.run(["record", "in.json", "--gateway-fixture", "in.json", "--gateway-target-url", url, "--out", "x.json"]);
    expect(twice.code).toBe(2);
    expect(twice.stderr).toContain("give the fixture once");
  });

  it("checks the argument counts of drift and import before loading them", async () => {
    const ws = await workspace();
    const drift = await ws.run(["drift"]);
    expect(drift.code).toBe(2);
    expect(drift.stderr).toContain("usage: tau-gateway drift list|accept");
    const importHar = await ws.run(["import", "har"]);
    expect(importHar.code).toBe(2);
    expect(importHar.stderr).toContain("usage: tau-gateway import har FILE --out FIXTURE");
    const importCsv = await ws.run(["import", "csv", "x.csv", "--out", "x.json"]);
    expect(importCsv.code).toBe(2);
    expect(importCsv.stderr).toContain('cannot import "csv" (only har)');
  });

  it("prints no warning for the flags a fixture-workflow command uses, and warns for one it ignores", async () => {
    const ws = await workspace();
    await ws.write("f.json", fixtureOf("f", [successCase("a")]));
    const run = await ws.run(["run", "--gateway-fixture", "f.json", "--gateway-update", "none", "--gateway-tag", "x", "--gateway-tag", "y"]);
    // No case has the tags: exit 2 names them, and no flag was called unused on the way.
    expect(run.stderr).not.toContain("warning:");
    expect((await ws.run(["run", "--gateway-fixture", "f.json"])).code).toBe(0);

    const list = await ws.run(["drift", "list", "--gateway-state-dir", DEFAULT_STATE_DIR, "--json"]);
    expect(list.code).toBe(0);
    expect(list.stderr).toBe("");
    const ignored = await ws.run(["drift", "list", "--out", "x.json"]);
    expect(ignored.code).toBe(0);
    expect(ignored.stderr).toBe("warning: --out does nothing for drift; ignored\n");

    const runWithField = await ws.run(["run", "--gateway-fixture", "f.json", "--field", "/status_code"]);
    expect(runWithField.stderr).toContain("warning: --field does nothing for run; ignored");
    // A variable set for a whole job is not a mistake of one drift call.
    const fromEnv = await ws.run(["drift", "list"], { env: { TAU_GATEWAY_TARGET_URL: "http://127.0.0.1:1" } });
    expect(fromEnv.stderr).toBe("");
  });

  it("a set given by several --gateway-fixture flags is recorded as the cycle's provenance, in order", async () => {
    const ws = await workspace();
    await ws.write("one.json", fixtureOf("one", [successCase("a1")]));
    await ws.write("two.json", fixtureOf("two", [successCase("b1")]));
    const run = await ws.run(["run", "--gateway-fixture", "two.json", "--gateway-fixture", "one.json"]);
    expect(run.code).toBe(0);
    expect(summaryOf(run.stdout)).toMatchObject({ discovered: 2 });
    const state = await ws.readJson<{ last_cycle: { fixtures: { path: string }[] } }>(`${DEFAULT_STATE_DIR}/state.json`);
    expect(state.last_cycle.fixtures.map((f) => f.path)).toEqual(["two.json", "one.json"]);
  });
});
