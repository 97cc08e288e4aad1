import { readFile, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { readFixtureDocument, readFixtureFile } from "@tau/gateway-contract";
import { describe, expect, it } from "vitest";
import { acceptDrift, createRedactor, GatewayRuntimeError, recordFixture, reviewDrift, simulatedDriver, writeFixtureFile } from "../src";
import { recordingDriver, readJsonLines, openRuntime } from "./helpers/runtime";
import { makeTempDir } from "./helpers/temp-dir";

async function thrownCode(promise: Promise<unknown>): Promise<string | undefined> {
  try {
    await promise;
  } catch (error) {
    if (GatewayRuntimeError.isInstance(error)) return error.code;
    throw error;
  }
  return undefined;
}

const toRecord = {
  schema_version: 2,
  name: "rec",
  cases: [
    { case_id: "read", method: "GET", endpoint: "/v1/tasks/7", actor_id: "ops-bot" },
    { case_id: "gone", method: "TRACE", endpoint: "/v1/tasks", actor_id: "ops-bot" },
  ],
};

describe("recordFixture", () => {
  it("fills every missing expected from the driver's answers and persists nothing", async () => {
    const dir = await makeTempDir();
    const path = join(dir, "f.json");
    await writeFile(path, `${JSON.stringify(toRecord, null, 2)}\n`);
    const { document, text } = await readFixtureDocument(path);
    const result = await recordFixture({ text, document, source: path, driver: simulatedDriver(), which: "missing" });
    expect(result.recorded).toEqual(["read", "gone"]);
    await writeFile(path, result.text);
    const { fixture } = await readFixtureFile(path);
    expect(fixture.cases.map((c) => [c.expected.outcome, c.expected.status_code, c.expected.error_code])).toEqual([
      ["success", 200, undefined],
      ["malformed_input", 405, "gateway_unsupported_method"],
    ]);
  });

  it("writes nothing and names the case when a case gets no answer", async () => {
    const dir = await makeTempDir();
    const path = join(dir, "f.json");
    await writeFile(path, JSON.stringify(toRecord));
    const { document, text } = await readFixtureDocument(path);
    const driver = recordingDriver(() => ({ outcome: "transport_error", error_code: "ECONNREFUSED", message: "refused" }));
    const failed = recordFixture({ text, document, source: path, driver, which: "all", settings: { retryMaxAttempts: 1 } });
    await expect(failed).rejects.toThrow(/case "read": no answer \(ECONNREFUSED: refused\)/);
  });

  it("writes the run's secrets as *** through its redactor, in values and keys, in any encoding the redactor knows", async () => {
    const dir = await makeTempDir();
    const path = join(dir, "f.json");
    await writeFile(path, JSON.stringify({ ...toRecord, cases: [toRecord.cases[0]] }));
    const { document, text } = await readFixtureDocument(path);
    const secret = "Bearer s3cr3t-token";
    const driver = recordingDriver(() => ({
      outcome: "success",
      status_code: 200,
      error_code: "",
      response_body: { token: "s3cr3t-token", echoed: `auth=${encodeURIComponent("s3cr3t-token")}`, "s3cr3t-token": true },
    }));
    const result = await recordFixture({ text, document, source: path, driver, which: "all", redactor: createRedactor([secret]) });
    expect(result.text).not.toContain("s3cr3t");
    expect(JSON.parse(result.text).cases[0].expected.response_body).toEqual({ token: "***", echoed: "auth=***", "***": true });
  });

  it("writeFixtureFile refuses an existing file without force", async () => {
    const path = join(await makeTempDir(), "out.json");
    await writeFixtureFile({ path, text: "1\n" });
    expect(await thrownCode(writeFixtureFile({ path, text: "2\n" }))).toBe("E_OUTPUT_EXISTS");
    await writeFixtureFile({ path, text: "2\n", force: true });
    expect(await readFile(path, "utf8")).toBe("2\n");
  });
});

describe("reviewDrift and acceptDrift", () => {
  async function driftedStateDir() {
    const dir = await makeTempDir();
    const path = join(dir, "f.json");
    const c = (id: string, status: number) => ({
      case_id: id,
      method: "GET",
      endpoint: `/v1/${id}`,
      actor_id: "ops-bot",
      expected: { outcome: "success", status_code: status, response_body: { status: "accepted", method: "GET", endpoint: `/v1/${id}`, actor_id: "ops-bot" } },
    });
    await writeFile(path, `${JSON.stringify({ schema_version: 1, name: "d", cases: [c("a-one", 201), c("a-two", 202), c("b-one", 200)] }, null, 2)}\n`);
    const stateDir = join(dir, "state");
    const runtime = await openRuntime({ stateDir });
    const { fixture, source } = await readFixtureFile(path);
    await runtime.runCycle(fixture, { provenance: { fixtures: [source] } });
    await runtime.close();
    return { stateDir, path };
  }

  it("lists the drift per field and accepts only the cases a glob selects, logging each field", async () => {
    const { stateDir, path } = await driftedStateDir();
    const review = await reviewDrift({ stateDir });
    expect(review.items.map((i) => [i.case_id, i.pointer, i.expected, i.observed, i.fixture])).toEqual([
      ["a-one", "/status_code", 201, 200, path],
      ["a-two", "/status_code", 202, 200, path],
    ]);
    const result = await acceptDrift({ stateDir, selectors: ["a-t*"], user: "ann", clock: () => 1_000 });
    expect(result.accepted.map((a) => [a.case_id, a.pointer, a.before, a.after, a.user, a.time])).toEqual([["a-two", "/status_code", 202, 200, "ann", "1970-01-01T00:00:01.000Z"]]);
    expect((await reviewDrift({ stateDir })).items.map((i) => [i.case_id, i.accepted])).toEqual([
      ["a-one", false],
      ["a-two", true],
    ]);
    expect(await readJsonLines(join(stateDir, "drift-accepted.jsonl"))).toHaveLength(1);
    expect(await thrownCode(acceptDrift({ stateDir, selectors: ["b-*"] }))).toBe("E_NO_DRIFT");
  });

  it("refuses a fixture edited by hand since the cycle", async () => {
    const { stateDir, path } = await driftedStateDir();
    await writeFile(path, (await readFile(path, "utf8")).replace('"name": "d"', '"name": "d2"'));
    expect(await thrownCode(acceptDrift({ stateDir }))).toBe("E_FIXTURE_CHANGED");
  });
});
