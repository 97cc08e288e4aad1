import { mkdir, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { FixtureError, importHar, parseFixtureDocument, readFixtureSet, selectFixtureCases } from "../src/index";
import { successCase, validFixture } from "./helpers/fixture-builders";
import { makeTempDir } from "./helpers/temp-dir";

function harOf(entries: unknown[]): string {
  return JSON.stringify({ log: { version: "1.2", creator: { name: "test", version: "1" }, entries } });
}

function entry(method: string, url: string, options: { headers?: Record<string, string>; body?: string; responseType?: string } = {}) {
  return {
    request: {
      method,
      url,
      headers: Object.entries(options.headers ?? {}).map(([name, value]) => ({ name, value })),
      ...(options.body !== undefined ? { postData: { mimeType: "application/json", text: options.body } } : {}),
    },
    response: { status: 200, content: { mimeType: options.responseType ?? "application/json" } },
  };
}

async function rejection(promise: Promise<unknown>): Promise<FixtureError> {
  try {
    await promise;
  } catch (error) {
    if (FixtureError.isInstance(error)) return error;
    throw error;
  }
  return expect.unreachable("expected a FixtureError");
}

describe("importHar", () => {
  it("keeps JSON requests as v2 cases without expected, with ids and actors from x-tau headers or made up", () => {
    const { fixture, skipped } = importHar({
      source: "s.har",
      text: harOf([
        entry("GET", "http://h/app", { responseType: "text/html" }),
        entry("post", "http://h/v1/tasks?dry=1", { headers: { "x-tau-actor-id": "web", "x-tau-case-id": "create" }, body: '{"title":"t"}' }),
        entry("GET", "http://h/v1/tasks/7"),
        entry("GET", "http://h/v1/tasks/7"),
        entry("PUT", "http://h/v1/raw", { body: "not json" }),
      ]),
    });
    expect(skipped.map((s) => s.url)).toEqual(["http://h/app"]);
    expect(fixture.cases).toEqual([
      { case_id: "create", method: "POST", endpoint: "/v1/tasks?dry=1", actor_id: "web", body: { title: "t" }, tags: ["har-import"] },
      { case_id: "get-v1-tasks-7", method: "GET", endpoint: "/v1/tasks/7", actor_id: "", tags: ["har-import"] },
      { case_id: "get-v1-tasks-7-2", method: "GET", endpoint: "/v1/tasks/7", actor_id: "", tags: ["har-import"] },
      { case_id: "put-v1-raw", method: "PUT", endpoint: "/v1/raw", actor_id: "", tags: ["har-import"] },
    ]);
    // What it writes is a valid v2 fixture to record.
    expect(parseFixtureDocument(JSON.stringify(fixture), "out.json").cases).toHaveLength(4);
  });

  it.each([
    ["not JSON", "GET / HTTP/1.1", "s.har: not a HAR file: not JSON at all"],
    ["a JSON array", "[1,2]", "s.har: not a HAR file: found a JSON array of 2, expected {\"log\": {\"entries\": [...]}}"],
    ["an object without log.entries", '{"log":{}}', 's.har: not a HAR file: found a JSON object with keys "log", expected'],
    ["a HAR without JSON requests", harOf([entry("GET", "http://h/", { responseType: "text/html" })]), "s.har: HAR file with 1 entry but no JSON request to import"],
  ])("says what it found in %s (E_HAR_INVALID)", (_what, text, message) => {
    let error: unknown;
    try {
      importHar({ text, source: "s.har" });
    } catch (e) {
      error = e;
    }
    expect(FixtureError.isInstance(error) && error.code).toBe("E_HAR_INVALID");
    expect((error as Error).message).toContain(message);
  });
});

describe("readFixtureSet and selectFixtureCases", () => {
  it("expands globs in sorted order, each file once, and merges the cases of the set", async () => {
    const dir = await makeTempDir();
    await mkdir(join(dir, "a"));
    await writeFile(join(dir, "a", "2.json"), JSON.stringify(validFixture({ name: "two", cases: [successCase({ case_id: "x2" })] })));
    await writeFile(join(dir, "a", "1.json"), JSON.stringify(validFixture({ name: "one", cases: [successCase({ case_id: "x1" })] })));
    const files = await readFixtureSet({ patterns: [join(dir, "a", "*.json"), join(dir, "a", "1.json")] });
    expect(files.map((f) => f.source.path)).toEqual([join(dir, "a", "1.json"), join(dir, "a", "2.json")]);
    const fixture = selectFixtureCases({ files });
    expect(fixture.name).toBe("one + two");
    expect(fixture.cases.map((c) => c.case_id)).toEqual(["x1", "x2"]);
  });

  it("refuses a glob that matches nothing and a case key used in two files", async () => {
    const dir = await makeTempDir();
    expect((await rejection(readFixtureSet({ patterns: [join(dir, "*.json")] }))).code).toBe("E_FIXTURE_NOT_FOUND");
    await writeFile(join(dir, "a.json"), JSON.stringify(validFixture()));
    await writeFile(join(dir, "b.json"), JSON.stringify(validFixture()));
    const clash = await rejection(readFixtureSet({ patterns: [join(dir, "*.json")] }));
    expect(clash.code).toBe("E_FIXTURE_INVALID");
    expect(clash.message).toContain(`${join(dir, "b.json")}: case "gateway-read-task": case key "GET:/v1/tasks/7:gateway-read-task" is also used by case "gateway-read-task" in ${join(dir, "a.json")}`);
  });

  it("selects cases with any of the tags", async () => {
    const dir = await makeTempDir();
    const cases = [successCase({ case_id: "a", tags: ["x"] }), successCase({ case_id: "b", tags: ["y", "z"] }), successCase({ case_id: "c" })];
    await writeFile(join(dir, "f.json"), JSON.stringify({ schema_version: 2, name: "t", cases }));
    const files = await readFixtureSet({ patterns: [join(dir, "f.json")] });
    expect(selectFixtureCases({ files, tags: ["z", "x"] }).cases.map((c) => c.case_id)).toEqual(["a", "b"]);
    expect(() => selectFixtureCases({ files, tags: ["none"] })).toThrow('no case has any of the tags "none"');
  });
});
