import { writeFile } from "node:fs/promises";
import { describe, expect, it } from "vitest";
import { DEFAULT_STATE_DIR, fixtureOf, gateOf, successCase, workspace } from "../helpers";

/** One case that drifts in two fields: status_code (expects 204) and response_body/status. */
function twoFieldDrift() {
  const c = successCase("two-fields", { method: "PUT", endpoint: "/v1/tasks/7" });
  c.expected.status_code = 204;
  (c.expected.response_body as Record<string, unknown>).status = "updated";
  return fixtureOf("two-field-drift", [c, successCase("fine")]);
}

describe("drift list and drift accept", { timeout: 60_000 }, () => {
  it("lists the last cycle's drift per case and field, as text and JSON", async () => {
    const ws = await workspace();
    await ws.write("f.json", twoFieldDrift());
    expect((await ws.run(["run", "--gateway-fixture", "f.json"])).code).toBe(4);

    const text = await ws.run(["drift", "list"]);
    expect(text.code).toBe(0);
    expect(text.stdout).toContain('case "two-fields" (PUT:/v1/tasks/7:two-fields) [fixture f.json]');
    expect(text.stdout).toContain("/status_code: expected 204, observed 200");
    expect(text.stdout).toContain('/response_body/status: expected "updated", observed "accepted"');

    const listed = JSON.parse((await ws.run(["drift", "list", "--json"])).stdout) as { drift: Record<string, unknown>[] };
    expect(listed.drift.map((d) => [d.case_id, d.pointer, d.accepted])).toEqual([
      ["two-fields", "/status_code", false],
      ["two-fields", "/response_body/status", false],
    ]);
  });

  it("accepting one field changes only that field, logs it, and leaves the other drift in place", async () => {
    const ws = await workspace();
    await ws.write("f.json", twoFieldDrift());
    const before = await ws.readText("f.json");
    await ws.run(["run", "--gateway-fixture", "f.json"]);

    const accept = await ws.run(["drift", "accept", "two-*", "--field", "/response_body/status"], { env: { USER: "reviewer-ann" } });
    expect(accept.stderr).toBe("");
    expect(accept.code).toBe(0);
    expect(accept.stdout).toContain('f.json: case "two-fields" /response_body/status: now "accepted" (was "updated")');

    // Only that value changed: same text otherwise, same key order, same 2-space layout.
    expect(await ws.readText("f.json")).toBe(before.replace('"status": "updated"', '"status": "accepted"'));

    const [line, ...more] = await ws.readJsonl(`${DEFAULT_STATE_DIR}/drift-accepted.jsonl`);
    expect(more).toEqual([]);
    const state = await ws.readJson<{ last_cycle: { fixture_sha256: string } }>(`${DEFAULT_STATE_DIR}/state.json`);
    expect(line).toMatchObject({
      user: "reviewer-ann",
      fixture: "f.json",
      case_id: "two-fields",
      pointer: "/response_body/status",
      before: "updated",
      after: "accepted",
      fixture_sha256_before: state.last_cycle.fixture_sha256,
    });
    expect(line?.fixture_sha256_after).not.toBe(line?.fixture_sha256_before);
    expect(typeof line?.time).toBe("string");

    // The other field still drifts.
    const again = await ws.run(["run", "--gateway-fixture", "f.json"]);
    expect(again.code).toBe(4);
    expect(again.stdout).toContain("status_code: expected 204, observed 200");
    expect(again.stdout).not.toContain("response_body/status");
  });

  it("accepts the rest of the same cycle's drift after an earlier accept, then has nothing left (exit 2)", async () => {
    const ws = await workspace();
    await ws.write("f.json", twoFieldDrift());
    await ws.run(["run", "--gateway-fixture", "f.json"]);
    expect((await ws.run(["drift", "accept", "--field", "status_code"])).code).toBe(0);
    expect((await ws.run(["drift", "accept", "two-fields"])).code).toBe(0);
    const none = await ws.run(["drift", "accept"]);
    expect(none.code).toBe(2);
    expect(none.stderr).toContain("no drift left to accept");
    expect((await ws.run(["run", "--gateway-fixture", "f.json"])).code).toBe(0);
    expect((await ws.readJsonl(`${DEFAULT_STATE_DIR}/drift-accepted.jsonl`)).length).toBe(2);
  });

  it("refuses when the fixture changed since the cycle, and when there is no drift (exit 2 with a hint)", async () => {
    const ws = await workspace();
    await ws.write("f.json", twoFieldDrift());
    await ws.run(["run", "--gateway-fixture", "f.json"]);
    await writeFile(ws.path("f.json"), `${await ws.readText("f.json")}\n`);
    const changed = await ws.run(["drift", "accept"]);
    expect(changed.code).toBe(2);
    expect(changed.stderr).toContain("f.json changed since the last cycle");
    expect(changed.stderr).toContain("run the cycle again");

    await ws.write("ok.json", fixtureOf("ok", [successCase("fine")]));
    expect((await ws.run(["run", "--gateway-fixture", "ok.json"])).code).toBe(0);
    const none = await ws.run(["drift", "accept", "--field", "/status_code"]);
    expect(none.code).toBe(2);
    expect(none.stderr).toContain("no drift to accept at /status_code in the last cycle");
    expect(none.stderr).toContain("drift list");
  });

  it("--gateway-update all accepts the cycle's drift (exit 0) and the next run is clean", async () => {
    const ws = await workspace();
    await ws.write("f.json", twoFieldDrift());
    const run = await ws.run(["run", "--gateway-fixture", "f.json", "--gateway-update", "all"], { env: { CI: "true" } });
    expect(run.code).toBe(0);
    expect(run.stdout).toContain("gateway runner update: accepted 2 drifted fields into f.json");
    expect(gateOf(run.stdout).rollout_reason_code).toBe("contract_drift_detected");
    expect((await ws.run(["run", "--gateway-fixture", "f.json"])).code).toBe(0);
  });
});
