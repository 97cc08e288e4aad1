import { readFile } from "node:fs/promises";
import { describe, expect, it } from "vitest";
import { DEFAULT_FIXTURE, gateOf, hasStackTrace, workspace } from "./helpers";

describe("tau-gateway init", { timeout: 60_000 }, () => {
  it("makes `init && run && status` work in an empty directory", async () => {
    const ws = await workspace();
    const init = await ws.run(["init"]);
    expect(init.code, init.stderr).toBe(0);
    expect(ws.exists(DEFAULT_FIXTURE)).toBe(true);
    const run = await ws.run(["run"]);
    expect(run.code, run.stderr).toBe(0);
    expect(gateOf(run.stdout)).toMatchObject({ rollout_gate: "hold" });
    const status = await ws.run(["status", "--json"]);
    expect(JSON.parse(status.stdout)).toMatchObject({ rollout_gate: "hold", cycle_reports: 1 });
    // The second example passes the gate.
    const pass = await ws.run(["run", "fixtures/gateway-contract/rollout-pass.json", "--gateway-state-dir", "pass"]);
    expect(gateOf(pass.stdout)).toMatchObject({ rollout_gate: "pass" });
  });

  it("prints the next three commands", async () => {
    const ws = await workspace();
    const { stdout } = await ws.run(["init"]);
    const next = stdout.slice(stdout.indexOf("Next:")).split("\n").slice(1, 4).map((line) => line.trim().split("#")[0]?.trim());
    expect(next).toEqual(["tau-gateway run", "tau-gateway status", "tau-gateway run fixtures/gateway-contract/rollout-pass.json"]);
  });

  it("writes the fixtures with a $schema that resolves to the JSON Schema written beside them", async () => {
    const ws = await workspace();
    await ws.run(["init"]);
    const fixture = await ws.readJson<{ $schema: string; cases: unknown[] }>(DEFAULT_FIXTURE);
    expect(fixture.$schema).toBe("./fixture.schema.json");
    const schema = await ws.readJson<{ $id: string }>("fixtures/gateway-contract/fixture.schema.json");
    const shipped = JSON.parse(await readFile(new URL("../../../packages/gateway-contract/schema/fixture.schema.json", import.meta.url), "utf8"));
    expect(schema).toEqual(shipped);
    expect((await ws.run(["validate"])).code).toBe(0);
  });

  it("writes into DIR and prints the commands with a cd into it", async () => {
    const ws = await workspace();
    const init = await ws.run(["init", "checks"]);
    expect(init.code).toBe(0);
    expect(ws.exists(`checks/${DEFAULT_FIXTURE}`)).toBe(true);
    expect(init.stdout).toContain("cd checks && tau-gateway run");
    expect(ws.exists(DEFAULT_FIXTURE)).toBe(false);
  });

  it("refuses to overwrite without --force (exit 2, files untouched), overwrites with it", async () => {
    const ws = await workspace();
    await ws.write(DEFAULT_FIXTURE, "my own fixture\n");
    const refused = await ws.run(["init"]);
    expect(refused.code).toBe(2);
    expect(refused.stderr).toContain(DEFAULT_FIXTURE);
    expect(refused.stderr).toContain("--force");
    expect(hasStackTrace(refused.stderr)).toBe(false);
    expect(await ws.readText(DEFAULT_FIXTURE)).toBe("my own fixture\n");
    expect(ws.exists("fixtures/gateway-contract/rollout-pass.json")).toBe(false);

    const forced = await ws.run(["init", "--force"]);
    expect(forced.code).toBe(0);
    expect(await ws.readText(DEFAULT_FIXTURE)).toContain('"schema_version": 1');
  });
});

describe("the default fixture and FIXTURE", { timeout: 60_000 }, () => {
  it("says to run `tau-gateway init` when the default fixture is missing (run and validate)", async () => {
    const ws = await workspace();
    for (const args of [["run"], ["--gateway-contract-runner"], ["validate"]]) {
      const result = await ws.run(args);
      expect(result.code).toBe(2);
      expect(result.stderr).toContain(DEFAULT_FIXTURE);
      expect(result.stderr).toContain("tau-gateway init");
    }
    // A fixture the user named is simply not found: no init hint.
    const named = await ws.run(["run", "mine.json"]);
    expect(named.code).toBe(2);
    expect(named.stderr).toContain("mine.json");
    expect(named.stderr).not.toContain("tau-gateway init");
  });

  it("runs the fixture given as FIXTURE, like --gateway-fixture, and refuses both at once", async () => {
    const viaArg = await workspace(["rollout-pass.json"]);
    const viaFlag = await workspace(["rollout-pass.json"]);
    const arg = await viaArg.run(["run", "fixtures/gateway-contract/rollout-pass.json"]);
    const flag = await viaFlag.run(["run", "--gateway-fixture", "fixtures/gateway-contract/rollout-pass.json"]);
    expect(arg.code).toBe(0);
    expect(arg.stdout).toBe(flag.stdout);
    const both = await viaArg.run(["run", "a.json", "--gateway-fixture", "b.json"]);
    expect(both.code).toBe(2);
    expect(both.stderr).toContain("not both");
    // The argument beats TAU_GATEWAY_FIXTURE, as a flag beats its variable.
    const env = await viaArg.run(["run", "fixtures/gateway-contract/rollout-pass.json"], { env: { TAU_GATEWAY_FIXTURE: "nope.json" } });
    expect(env.code).toBe(0);
  });
});
